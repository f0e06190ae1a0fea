-- id: disabled-account
-- kind: detection
-- title: Sign-in attempts on disabled accounts
-- question: Which disabled accounts did someone try to sign in to, and from where?
-- window: all
-- severity: low
-- mitre: T1078
-- anchor: Microsoft Sentinel "Attempts to sign in to disabled accounts" (ResultType 50057 by user and IP address; Sentinel also requires 3 applications, here every pair is reported unless min_attempts says otherwise)
-- requires: error_code, user_principal_name
-- log-types: all
-- param: min_attempts integer 1 | attempts a user and IP address pair needs to be reported
-- column: severity text | low
-- column: title text | "Sign-in attempts on a disabled account"
-- column: user_principal_name text | the disabled account (lower case)
-- column: ip_address text | the address the attempts came from
-- column: service_principal_id text | empty
-- column: first_seen time | first attempt from the address
-- column: last_seen time | last attempt from the address
-- column: events integer | attempts (error 50057) from the address
-- column: details text | attempts and the applications they asked for
-- column: evidence list | the attempts
-- reference: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
SELECT
    'low' AS severity,
    'Sign-in attempts on a disabled account' AS title,
    lower(user_principal_name) AS user_principal_name,
    coalesce(ip_address, '') AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) || CASE WHEN count(*) = 1 THEN ' attempt' ELSE ' attempts' END || ' on the disabled account (50057) to '
        || count(DISTINCT coalesce(app_id, app_display_name))
        || CASE WHEN count(DISTINCT coalesce(app_id, app_display_name)) = 1 THEN ' application' ELSE ' applications' END
        || coalesce(': ' || array_to_string(list(DISTINCT app_display_name ORDER BY app_display_name), ', '), '') AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE error_code = 50057 AND user_principal_name IS NOT NULL
GROUP BY lower(user_principal_name), coalesce(ip_address, '')
HAVING count(*) >= $min_attempts
ORDER BY first_seen, user_principal_name, ip_address
