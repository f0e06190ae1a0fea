-- id: guests
-- kind: query
-- title: Guest and cross-tenant sign-ins
-- question: Which guests and users from other tenants signed in, how, to which applications, and when?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, filtered on User type = Guest and Cross tenant access type
-- requires: user_type, cross_tenant_access_type, home_tenant_id
-- log-types: interactiveUser, nonInteractiveUser
-- column: user_principal_name text | user principal name (guests often look like name_domain#EXT#@tenant)
-- column: user_type text | member or guest
-- column: cross_tenant_access_type text | b2bCollaboration, b2bDirectConnect, passthrough, microsoftSupport, ...; empty or none for same-tenant access
-- column: home_tenant_id text | tenant the user belongs to
-- column: home_tenant_name text | name of that tenant
-- column: sign_ins integer | interactive and non-interactive user sign-ins
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: apps list | applications signed in to, sorted
-- column: first_seen time | earliest such sign-in
-- column: last_seen time | latest such sign-in
-- reference: https://learn.microsoft.com/entra/external-id/cross-tenant-access-overview
SELECT
    max(user_principal_name) AS user_principal_name,
    user_type,
    cross_tenant_access_type,
    home_tenant_id,
    max(home_tenant_name) AS home_tenant_name,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    coalesce(list(DISTINCT app_display_name ORDER BY app_display_name) FILTER (WHERE app_display_name IS NOT NULL), []) AS apps,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
  AND (lower(user_type) = 'guest'
       OR coalesce(cross_tenant_access_type, 'none') NOT IN ('none', '')
       OR (home_tenant_id IS NOT NULL AND resource_tenant_id IS NOT NULL AND home_tenant_id <> resource_tenant_id))
GROUP BY coalesce(user_id, lower(user_principal_name)), user_type, cross_tenant_access_type, home_tenant_id
ORDER BY user_principal_name, user_type, cross_tenant_access_type, home_tenant_id,
    coalesce(user_id, lower(user_principal_name))
