-- id: registration-after-device-code
-- kind: detection
-- title: Device-code sign-in followed by a device registration
-- question: Did a user's successful device-code sign-in lead, within an hour, to a device registered by that user or from the same address (the device-code phishing pattern that ends in a primary refresh token)?
-- window: all
-- severity: high
-- mitre: T1528, T1098.005
-- anchor: Microsoft's Storm-2372 device-code phishing guidance (device-code sign-in to the authentication broker, then device registration) and Microsoft Sentinel "Suspicious device registration after sign-in"
-- requires: authentication_protocol
-- log-types: interactiveUser, nonInteractiveUser, audit
-- param: within duration 1h | how long after the device-code sign-in a registration still counts
-- param: activities text "Register device,Add device,Add registered owner to device,Add registered users to device" | the activity display names counted as device registration, comma-separated (compared ignoring case, dash style and spacing)
-- column: severity text | high
-- column: title text | "Device-code sign-in followed by device registration: <user>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the device-code sign-in's address when all came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | the first device-code sign-in
-- column: last_seen time | the last registration
-- column: events integer | registrations
-- column: details text | the sign-ins' applications and addresses, then each registration: time, activity, device, initiator, address
-- column: evidence list | the device-code sign-ins followed by a registration
-- column: audit_evidence list | the registrations
-- reference: https://www.microsoft.com/security/blog/2025/02/13/storm-2372-conducts-device-code-phishing-campaign/
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows
WITH dc AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS upn, user_id, ip_address, app_display_name
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 0 AND log_type IN ('interactiveUser', 'nonInteractiveUser')
      AND (lower(replace(authentication_protocol, ' ', '')) = 'devicecode'
           OR lower(replace(original_transfer_method, ' ', '')) = 'devicecodeflow')
),
reg AS (
    SELECT a.*,
        (SELECT coalesce(nullif(t.display_name, ''), t.id) FROM audit_targets t
         WHERE t.audit_key = a.audit_key AND lower(t.type) = 'device' ORDER BY t.target_index LIMIT 1) AS device,
        (SELECT list(lower(t.user_principal_name)) FROM audit_targets t
         WHERE t.audit_key = a.audit_key AND lower(t.type) = 'user') AS target_users
    FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
      AND coalesce(a.result, 'success') = 'success'
),
pairs AS (
    SELECT dc.*, reg.audit_key, reg.activity_at, reg.activity, reg.device, reg.initiator, reg.initiator_ip_address
    FROM dc JOIN reg
      ON reg.activity_at >= dc.created_at AND reg.activity_at <= dc.created_at + to_seconds($within)
     AND (lower(reg.initiator_upn) = dc.upn OR reg.initiator_user_id = dc.user_id
          OR list_contains(reg.target_users, dc.upn) OR reg.initiator_ip_address = dc.ip_address)
),
regs AS (
    SELECT DISTINCT upn, audit_key, activity_at, activity, device, initiator, initiator_ip_address FROM pairs
)
SELECT
    'high' AS severity,
    'Device-code sign-in followed by device registration: ' || p.upn AS title,
    p.upn AS user_principal_name,
    CASE WHEN count(DISTINCT p.ip_address) = 1 THEN min(p.ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(p.created_at) AS first_seen,
    (SELECT max(r.activity_at) FROM regs r WHERE r.upn = p.upn) AS last_seen,
    (SELECT count(*) FROM regs r WHERE r.upn = p.upn) AS events,
    'device-code sign-ins to ' || string_agg(DISTINCT coalesce(p.app_display_name, '(unnamed app)'), ', ')
        || ' from ' || string_agg(DISTINCT coalesce(p.ip_address, '(no address)'), ', ') || ', then '
        || (SELECT string_agg(strftime(r.activity_at, '%Y-%m-%dT%H:%M:%SZ') || ' ' || r.activity || coalesce(' ' || r.device, '')
                || ' by ' || coalesce(r.initiator, 'an unnamed initiator') || coalesce(' from ' || r.initiator_ip_address, ''), '; '
                ORDER BY r.activity_at, r.audit_key) FROM regs r WHERE r.upn = p.upn) AS details,
    list(DISTINCT p.signin_key ORDER BY p.signin_key) AS evidence,
    (SELECT list(r.audit_key ORDER BY r.activity_at, r.audit_key) FROM regs r WHERE r.upn = p.upn) AS audit_evidence
FROM pairs p
GROUP BY p.upn
ORDER BY first_seen, user_principal_name
