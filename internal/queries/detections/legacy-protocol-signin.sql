-- id: legacy-protocol-signin
-- kind: detection
-- title: Legacy authentication
-- question: Who signed in, or tried to, through legacy clients (IMAP, POP, SMTP AUTH, ActiveSync, ...) that cannot do MFA?
-- window: all
-- severity: medium
-- mitre: T1078.004
-- anchor: Microsoft Entra security operations guide for user accounts (monitor sign-ins with legacy authentication protocols) and the Conditional Access template "Block legacy authentication"; the client apps are the embedded list internal/reference/legacyclients.tsv
-- requires: client_app_used
-- log-types: interactiveUser, nonInteractiveUser
-- column: severity text | medium when every attempt failed; high when at least one succeeded (a password alone opened the account)
-- column: title text | "Legacy authentication: <client app>"
-- column: user_principal_name text | the user (lower case; empty when the attempt named none)
-- column: ip_address text | the source address when every attempt came from one; empty when several (counted in details)
-- column: service_principal_id text | empty
-- column: first_seen time | first legacy sign-in of the user with this client
-- column: last_seen time | last one
-- column: events integer | legacy sign-ins of the user with this client
-- column: details text | successes and failures, source addresses and applications
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
-- reference: https://learn.microsoft.com/entra/architecture/security-operations-user-accounts
SELECT
    CASE WHEN count(*) FILTER (WHERE s.error_code = 0) > 0 THEN 'high' ELSE 'medium' END AS severity,
    'Legacy authentication: ' || l.client_app AS title,
    coalesce(lower(s.user_principal_name), '') AS user_principal_name,
    CASE WHEN count(DISTINCT s.ip_address) = 1 THEN min(s.ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(s.created_at) AS first_seen,
    max(s.created_at) AS last_seen,
    count(*) AS events,
    count(*) FILTER (WHERE s.error_code = 0) || ' successful, ' || count(*) FILTER (WHERE s.error_code <> 0)
        || ' failed sign-ins through ' || l.client_app || ' (' || l.why || ') from '
        || count(DISTINCT s.ip_address) || CASE WHEN count(DISTINCT s.ip_address) = 1 THEN ' IP address' ELSE ' IP addresses' END
        || coalesce(' to ' || array_to_string(list(DISTINCT s.app_display_name ORDER BY s.app_display_name), ', '), '') AS details,
    list(s.signin_key ORDER BY s.created_at, s.signin_key) AS evidence
FROM scoped($since, $until, $app, $user, $ip, $log_types) s
JOIN ref_legacy_clients l ON lower(s.client_app_used) = l.client_key
WHERE s.log_type IN ('interactiveUser', 'nonInteractiveUser')
GROUP BY coalesce(lower(s.user_principal_name), ''), l.client_app, l.why
ORDER BY first_seen, user_principal_name, title
