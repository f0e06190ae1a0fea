-- id: security-info-added-by-other
-- kind: detection
-- title: Authentication method added by someone else or from an unknown address
-- question: Was security info (an MFA method) registered for a user by someone other than the user, or from an address the user never signed in from?
-- window: all
-- severity: high
-- mitre: T1098.005
-- anchor: Microsoft Sentinel "MFA method added by another user" / "Authentication Methods Changed for Privileged Account" and the post-compromise MFA registration Microsoft describes for AiTM campaigns (audit log, service Authentication Methods)
-- requires: activity
-- log-types: interactiveUser, nonInteractiveUser, audit
-- param: activities text "User registered security info,Admin registered security info,Admin updated security info,User changed default security info" | the activity display names that add or change a method, comma-separated (compared ignoring case, dash style and spacing)
-- column: severity text | high when both hold (someone else, from an address the user never signed in from); medium when one does
-- column: title text | "Authentication method added for <user> by someone else" or "... from an unknown address"
-- column: user_principal_name text | the user whose methods changed (lower case)
-- column: ip_address text | the address the initiator acted from
-- column: service_principal_id text | empty
-- column: first_seen time | the registration
-- column: last_seen time | the same
-- column: events integer | 1
-- column: details text | who registered what from where, and how many addresses the user signed in from in the export (the address test needs the user's sign-ins: without any it is not applied)
-- column: evidence list | empty (the point is the address's absence from the sign-ins)
-- column: audit_evidence list | the registration event
-- reference: https://learn.microsoft.com/entra/identity/authentication/howto-authentication-methods-activity
-- reference: https://attack.mitre.org/techniques/T1098/005/
WITH e AS (
    SELECT a.*,
        (SELECT t FROM audit_targets t WHERE t.audit_key = a.audit_key AND lower(t.type) = 'user'
         ORDER BY t.target_index LIMIT 1) AS target
    FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
      AND coalesce(a.result, 'success') = 'success'
),
u AS (
    SELECT e.*,
        lower(coalesce(nullif(target.user_principal_name, ''), e.initiator_upn)) AS upn,
        coalesce(nullif(target.id, ''), e.initiator_user_id) AS uid,
        coalesce(CASE WHEN nullif(target.id, '') IS NOT NULL AND nullif(e.initiator_user_id, '') IS NOT NULL THEN target.id <> e.initiator_user_id
            ELSE lower(e.initiator) <> lower(coalesce(nullif(target.user_principal_name, ''), e.initiator)) END, false) AS by_other
    FROM e
),
s AS (
    SELECT u.audit_key, count(DISTINCT si.ip_address) AS ips,
        bool_or(si.ip_address = u.initiator_ip_address) AS known
    FROM u JOIN scoped($since, $until, $app, $user, $ip, $log_types) si
        ON (si.user_id = u.uid OR lower(si.user_principal_name) = u.upn)
       AND si.log_type IN ('interactiveUser', 'nonInteractiveUser') AND si.ip_address IS NOT NULL
    GROUP BY u.audit_key
),
f AS (
    SELECT u.*, coalesce(s.ips, 0) AS ips,
        coalesce(s.ips, 0) > 0 AND nullif(u.initiator_ip_address, '') IS NOT NULL AND NOT coalesce(s.known, false) AS unknown_ip
    FROM u LEFT JOIN s ON s.audit_key = u.audit_key
)
SELECT
    CASE WHEN by_other AND unknown_ip THEN 'high' ELSE 'medium' END AS severity,
    'Authentication method added for ' || coalesce(upn, 'a user')
        || CASE WHEN by_other THEN ' by someone else' ELSE ' from an unknown address' END AS title,
    coalesce(upn, '') AS user_principal_name,
    coalesce(initiator_ip_address, '') AS ip_address,
    '' AS service_principal_id,
    activity_at AS first_seen,
    activity_at AS last_seen,
    1::BIGINT AS events,
    coalesce(initiator, 'an unnamed initiator') || ' (' || activity || coalesce(': ' || nullif(result_reason, ''), '') || ')'
        || coalesce(' from ' || initiator_ip_address, '')
        || CASE WHEN by_other THEN ', not the user' ELSE '' END
        || CASE WHEN unknown_ip THEN ', an address the user never signed in from (the user''s sign-ins came from '
                    || ips || CASE WHEN ips = 1 THEN ' other address)' ELSE ' other addresses)' END
                WHEN ips = 0 THEN '; the user has no sign-ins in the export, so the address was not compared'
                ELSE '' END AS details,
    []::BIGINT[] AS evidence,
    [audit_key] AS audit_evidence
FROM f
WHERE by_other OR unknown_ip
ORDER BY first_seen, user_principal_name, details
