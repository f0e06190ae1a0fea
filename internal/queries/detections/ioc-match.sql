-- id: ioc-match
-- kind: detection
-- title: Sign-ins and audit events matching the --intel indicators
-- question: Which sign-ins and audit events match an indicator of the incident (an IP address, a network, an autonomous system or a user-agent substring given with --intel)?
-- window: all
-- severity: high
-- mitre: T1078
-- anchor: indicator-of-compromise matching as SIEMs do it (Sentinel's "TI map IP entity to SigninLogs" and "TI map IP entity to AuditLogs" rules), offline, against the indicator file given with --intel
-- requires: ip_address
-- log-types: all
-- needs-input: intel
-- column: severity text | high: an indicator of the incident matched
-- column: title text | "Indicator match: <label>" (the indicator itself when its label is empty)
-- column: user_principal_name text | the user (lower case): the signing-in user, or the user who initiated the audit event
-- column: ip_address text | the address when every matching event came from one; empty when several
-- column: service_principal_id text | the service principal, for workload identities and audit events an application initiated
-- column: first_seen time | first matching event
-- column: last_seen time | last matching event
-- column: events integer | matching sign-ins plus matching audit events, per indicator and identity. A sign-in matches an ip indicator by its address, a cidr indicator when its address is in the network (addresses compared as addresses, IPv4 and IPv6), an asn indicator by its autonomous system number, a user-agent indicator when its user agent contains the substring (case-insensitive); an audit event matches by the initiator's IP address and by the User-Agent of its additional details (no ASN). Audit events count only when no --log-type narrows the run
-- column: details text | the indicator, its type and label, the sign-ins (successful and failed) and the audit activities matched
-- column: evidence list | the matching sign-ins
-- column: audit_evidence list | the matching audit events (audits.audit_key)
-- reference: https://learn.microsoft.com/azure/sentinel/understand-threat-intelligence
WITH signin_hits AS (
    SELECT i.pos, s.signin_key, s.created_at, s.user_principal_name, s.service_principal_id,
        s.service_principal_name, s.ip_address, s.error_code
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    JOIN intel_ip_matches m ON m.ip_address = s.ip_address
    JOIN intel_indicators i ON i.pos = m.pos
    UNION
    SELECT i.pos, s.signin_key, s.created_at, s.user_principal_name, s.service_principal_id,
        s.service_principal_name, s.ip_address, s.error_code
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    JOIN intel_indicators i ON i.type = 'asn' AND s.autonomous_system_number = i.asn
    UNION
    SELECT i.pos, s.signin_key, s.created_at, s.user_principal_name, s.service_principal_id,
        s.service_principal_name, s.ip_address, s.error_code
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    JOIN intel_indicators i ON i.type = 'user-agent' AND contains(lower(s.user_agent), i.value)
),
-- The audit events inside the same window and filters as the sign-ins.
audit_scope AS (
    SELECT a.*, json_extract_string(a.additional_details, '$."User-Agent"') AS user_agent
    FROM audits a
    WHERE ($since IS NULL OR a.activity_at > $since)
      AND a.activity_at <= $until
      AND $log_types IS NULL
      AND ($app IS NULL OR a.initiator_app_id = $app)
      AND ($user IS NULL OR a.initiator_user_id = $user OR lower(a.initiator_upn) = lower($user))
      AND ($ip IS NULL OR a.initiator_ip_address = $ip)
),
audit_hits AS (
    SELECT i.pos, a.audit_key, a.activity_at, a.activity, a.initiator_upn, a.initiator_service_principal_id,
        a.initiator_service_principal_name, a.initiator_ip_address
    FROM audit_scope a
    JOIN intel_ip_matches m ON m.ip_address = a.initiator_ip_address
    JOIN intel_indicators i ON i.pos = m.pos
    UNION
    SELECT i.pos, a.audit_key, a.activity_at, a.activity, a.initiator_upn, a.initiator_service_principal_id,
        a.initiator_service_principal_name, a.initiator_ip_address
    FROM audit_scope a
    JOIN intel_indicators i ON i.type = 'user-agent' AND contains(lower(a.user_agent), i.value)
),
hits AS (
    SELECT pos, signin_key, NULL::BIGINT AS audit_key, created_at AS at, NULL AS activity,
        coalesce(lower(user_principal_name), '') AS usr, coalesce(service_principal_id, '') AS sp,
        coalesce(lower(user_principal_name), service_principal_name, service_principal_id, '') AS ident,
        ip_address, error_code
    FROM signin_hits
    UNION ALL
    SELECT pos, NULL, audit_key, activity_at, activity,
        coalesce(lower(initiator_upn), ''),
        CASE WHEN initiator_upn IS NULL THEN coalesce(initiator_service_principal_id, '') ELSE '' END,
        coalesce(lower(initiator_upn), initiator_service_principal_name, initiator_service_principal_id, ''),
        initiator_ip_address, NULL
    FROM audit_hits
)
SELECT
    'high' AS severity,
    'Indicator match: ' || coalesce(nullif(i.label, ''), i.indicator) AS title,
    h.usr AS user_principal_name,
    CASE WHEN count(DISTINCT h.ip_address) = 1 THEN min(h.ip_address) ELSE '' END AS ip_address,
    h.sp AS service_principal_id,
    min(h.at) AS first_seen,
    max(h.at) AS last_seen,
    count(*) AS events,
    i.type || ' ' || i.value || coalesce(' (' || nullif(i.label, '') || ')', '') || ': '
        || concat_ws(' and ',
            CASE WHEN count(h.signin_key) > 0 THEN count(h.signin_key)
                || CASE WHEN count(h.signin_key) = 1 THEN ' sign-in (' ELSE ' sign-ins (' END
                || count(*) FILTER (WHERE h.error_code = 0) || ' successful, '
                || count(*) FILTER (WHERE h.error_code <> 0) || ' failed)' END,
            CASE WHEN count(h.audit_key) > 0 THEN count(h.audit_key)
                || CASE WHEN count(h.audit_key) = 1 THEN ' audit event (' ELSE ' audit events (' END
                || array_to_string(list(DISTINCT h.activity ORDER BY h.activity) FILTER (WHERE h.activity IS NOT NULL), ', ') || ')' END) AS details,
    coalesce(list(h.signin_key ORDER BY h.at, h.signin_key) FILTER (WHERE h.signin_key IS NOT NULL), []::BIGINT[]) AS evidence,
    coalesce(list(h.audit_key ORDER BY h.at, h.audit_key) FILTER (WHERE h.audit_key IS NOT NULL), []::BIGINT[]) AS audit_evidence
FROM hits h
JOIN intel_indicators i ON i.pos = h.pos
GROUP BY i.pos, i.indicator, i.type, i.value, i.label, h.usr, h.sp
ORDER BY first_seen, user_principal_name, service_principal_id, title
