-- id: cross-tenant-signin
-- kind: detection
-- title: Guest and cross-tenant sign-ins
-- question: Which guests and users of other tenants signed in, from which home tenant, to which applications? (one finding per external user)
-- window: all
-- severity: low
-- mitre: T1199
-- anchor: an inventory rather than an alert; Microsoft Sentinel "External guest invitation followed by Microsoft Entra ID PowerShell signin" starts from the same sign-ins (UserType other than Member)
-- requires: user_type
-- log-types: interactiveUser, nonInteractiveUser
-- column: severity text | low: informational, to review against the guests the organization expects
-- column: title text | "Guest or cross-tenant sign-ins from <home tenant>"
-- column: user_principal_name text | the external user (lower case)
-- column: ip_address text | the address when every sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | the user's first such sign-in
-- column: last_seen time | last one
-- column: events integer | sign-ins by user type guest, or whose home tenant differs from the resource tenant, or with a cross-tenant access type other than none
-- column: details text | the home tenant, successes and failures, the applications, the access types
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview
WITH g AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address, error_code,
        coalesce(home_tenant_id, '') AS home, home_tenant_name,
        coalesce(app_display_name, app_id, '(unknown application)') AS app,
        coalesce(nullif(cross_tenant_access_type, ''), 'none') AS access_type, user_type
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
      AND (lower(user_type) = 'guest'
           OR lower(home_tenant_id) <> lower(resource_tenant_id)
           OR lower(coalesce(nullif(cross_tenant_access_type, ''), 'none')) <> 'none')
)
SELECT
    'low' AS severity,
    'Guest or cross-tenant sign-ins from ' || coalesce(min(home_tenant_name), nullif(home, ''), 'another tenant') AS title,
    coalesce(usr, '') AS user_principal_name,
    CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    'home tenant ' || coalesce(min(home_tenant_name) || ' (' || nullif(home, '') || ')', nullif(home, ''), 'unknown')
        || '; ' || count(*) FILTER (WHERE error_code = 0) || ' successful, ' || count(*) FILTER (WHERE error_code <> 0) || ' failed sign-ins'
        || ' to ' || array_to_string(list(DISTINCT app ORDER BY app), ', ')
        || '; access: ' || array_to_string(list(DISTINCT access_type ORDER BY access_type), ', ')
        || coalesce(', user type ' || array_to_string(list(DISTINCT lower(user_type) ORDER BY lower(user_type)) FILTER (WHERE user_type IS NOT NULL), ', '), '') AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM g
GROUP BY home, usr
ORDER BY first_seen, title, details
