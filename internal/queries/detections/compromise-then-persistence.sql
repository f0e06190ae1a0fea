-- id: compromise-then-persistence
-- kind: detection
-- title: Suspicious sign-in followed by persistence
-- question: After a high-signal sign-in finding for a user, did that user, or anyone from the suspicious address, register security info or a device, consent to an app, add a credential to an app, assign a role or change Conditional Access within a day?
-- window: all
-- severity: high
-- mitre: T1078.004, T1098
-- anchor: Microsoft Sentinel "Suspicious sign-in followed by MFA modification" and Microsoft's AiTM/BEC hunting guidance (a risky sign-in, then a new MFA method, inbox rule or app consent)
-- requires: user_principal_name, ip_address
-- log-types: interactiveUser, nonInteractiveUser, audit
-- param: detections text "session-hijack,aitm-phishing,identity-protection-risk,password-spray,brute-force,mfa-fatigue" | the detections whose high findings start the sequence (password-spray, brute-force and mfa-fatigue are high only when a sign-in then succeeded), comma-separated
-- param: any_severity text "impossible-travel" | detections whose findings start the sequence at any severity, comma-separated
-- param: within duration 24h | how long after the finding's last sign-in a change still counts
-- param: activities text "User registered security info,Admin registered security info,User changed default security info,Register device,Add device,Add registered owner to device,Add registered users to device,Consent to application,Add delegated permission grant,Add app role assignment to service principal,Update application – Certificates and secrets management,Add service principal credentials,Add member to role,Add eligible member to role,Add member to role in PIM completed (permanent),Add eligible member to role in PIM completed (permanent),Add conditional access policy,Update conditional access policy,Delete conditional access policy,Add named location,Update named location" | the activity display names counted as persistence, comma-separated (compared ignoring case, dash style and spacing)
-- column: severity text | high
-- column: title text | "Suspicious sign-in followed by persistence: <user>"
-- column: user_principal_name text | the user of the sign-in findings (lower case)
-- column: ip_address text | the suspicious address when the findings name one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | the first suspicious sign-in
-- column: last_seen time | the last change
-- column: events integer | the changes
-- column: details text | the findings that started it and each change: time, activity, initiator, address
-- column: evidence list | the sign-ins of those findings
-- column: audit_evidence list | the changes
-- reference: https://www.microsoft.com/security/blog/2022/07/12/from-cookie-theft-to-bec-attackers-use-aitm-phishing-sites-as-entry-point-to-further-financial-fraud/
-- reference: https://attack.mitre.org/techniques/T1098/
WITH starts AS (
    -- The sign-in findings come from prior_findings: every finding of the detections that
    -- read no other findings, filled by the runner before this detection runs
    -- (internal/queries/prior.go). A finding without a user (a password spray) names the
    -- users whose sign-ins among its evidence succeeded.
    SELECT f.detection, s.signin_key, s.created_at, s.ip_address,
        coalesce(nullif(f.user_principal_name, ''), CASE WHEN s.error_code = 0 THEN lower(s.user_principal_name) END) AS upn
    FROM (SELECT *, unnest(evidence) AS k FROM prior_findings) f
    JOIN scoped($since, $until, $app, $user, $ip, $log_types) s ON s.signin_key = f.k
    WHERE s.log_type IN ('interactiveUser', 'nonInteractiveUser')
      AND ((list_contains(string_split(replace($detections, ' ', ''), ','), f.detection) AND f.severity = 'high')
           OR list_contains(string_split(replace($any_severity, ' ', ''), ','), f.detection))
),
users AS (
    SELECT upn, min(created_at) AS t0, max(created_at) AS t1,
        list(DISTINCT detection ORDER BY detection) AS detections,
        coalesce(list(DISTINCT ip_address ORDER BY ip_address) FILTER (WHERE ip_address IS NOT NULL), []) AS ips,
        list(DISTINCT signin_key ORDER BY signin_key) AS keys
    FROM starts
    WHERE nullif(upn, '') IS NOT NULL
    GROUP BY upn
),
changes AS (
    SELECT u.upn, a.audit_key, a.activity_at, a.activity, a.initiator, a.initiator_ip_address
    FROM users u
    JOIN audit_scoped($since, $until, $user, $ip) a
      ON a.activity_at >= u.t0 AND a.activity_at <= u.t1 + to_seconds($within)
     AND (lower(a.initiator_upn) = u.upn OR list_contains(u.ips, a.initiator_ip_address))
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
      AND coalesce(a.result, 'success') = 'success'
)
SELECT
    'high' AS severity,
    'Suspicious sign-in followed by persistence: ' || u.upn AS title,
    u.upn AS user_principal_name,
    CASE WHEN len(u.ips) = 1 THEN u.ips[1] ELSE '' END AS ip_address,
    '' AS service_principal_id,
    u.t0 AS first_seen,
    max(c.activity_at) AS last_seen,
    count(*) AS events,
    'after ' || array_to_string(u.detections, ', ') || ' (sign-ins from ' || strftime(u.t0, '%Y-%m-%dT%H:%M:%SZ')
        || coalesce(' from ' || nullif(array_to_string(u.ips, ', '), ''), '') || '): '
        || string_agg(strftime(c.activity_at, '%Y-%m-%dT%H:%M:%SZ') || ' ' || c.activity || ' by ' || coalesce(c.initiator, 'an unnamed initiator')
            || coalesce(' from ' || c.initiator_ip_address, ''), '; ' ORDER BY c.activity_at, c.audit_key) AS details,
    u.keys AS evidence,
    list(c.audit_key ORDER BY c.activity_at, c.audit_key) AS audit_evidence
FROM users u JOIN changes c ON c.upn = u.upn
GROUP BY u.upn, u.t0, u.ips, u.detections, u.keys
ORDER BY first_seen, user_principal_name
