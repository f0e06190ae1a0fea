-- id: ca-blocked
-- kind: detection
-- title: Sign-ins blocked by Conditional Access
-- question: Whose sign-ins to which applications did a Conditional Access policy block?
-- window: all
-- severity: low
-- mitre: T1078.004
-- anchor: Microsoft Sentinel "User Accounts - Sign in Failure due to CA Spikes" (failed sign-ins due to Conditional Access, here ResultType 53003 by user and application without the time-series baseline)
-- requires: error_code, user_principal_name
-- log-types: all
-- param: min_events integer 1 | blocked sign-ins a user and application pair needs to be reported
-- column: severity text | low: the control worked, but someone tried
-- column: title text | "Blocked by Conditional Access: <application>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every blocked sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first blocked sign-in
-- column: last_seen time | last blocked sign-in
-- column: events integer | sign-ins of the user to the application that failed with 53003 (blocked by a Conditional Access policy)
-- column: details text | source addresses and the policies that failed
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-conditional-access
WITH b AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address,
        coalesce(app_display_name, app_id, '(unknown application)') AS app
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 53003 AND user_principal_name IS NOT NULL
),
policies AS (
    SELECT b.usr, b.app, list(DISTINCT p.policy_name ORDER BY p.policy_name) AS names
    FROM b JOIN signin_ca_policies p ON p.signin_key = b.signin_key
    WHERE p.result = 'failure' AND p.policy_name IS NOT NULL
    GROUP BY b.usr, b.app
)
SELECT
    'low' AS severity,
    'Blocked by Conditional Access: ' || b.app AS title,
    b.usr AS user_principal_name,
    CASE WHEN count(DISTINCT b.ip_address) = 1 THEN min(b.ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(b.created_at) AS first_seen,
    max(b.created_at) AS last_seen,
    count(*) AS events,
    count(*) || CASE WHEN count(*) = 1 THEN ' blocked sign-in' ELSE ' blocked sign-ins' END || ' (53003) from ' || count(DISTINCT b.ip_address)
        || CASE WHEN count(DISTINCT b.ip_address) = 1 THEN ' IP address' ELSE ' IP addresses' END
        || coalesce('; failed policies: ' || array_to_string(any_value(p.names), ', '), '') AS details,
    list(b.signin_key ORDER BY b.created_at, b.signin_key) AS evidence
FROM b LEFT JOIN policies p USING (usr, app)
GROUP BY b.usr, b.app
HAVING count(*) >= $min_events
ORDER BY first_seen, user_principal_name, title
