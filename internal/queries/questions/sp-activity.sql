-- id: sp-activity
-- kind: query
-- title: Service principal sign-in activity
-- question: When did each service principal and managed identity last sign in, to how many resources, from how many addresses, and how often did it fail?
-- window: all
-- mirrors: Entra admin center > Usage & insights > Service principal sign-in activity
-- requires: service_principal_id
-- log-types: managedIdentity, servicePrincipal
-- column: log_type text | servicePrincipal or managedIdentity
-- column: service_principal_id text | object id of the service principal or managed identity
-- column: service_principal_name text | its name
-- column: app_id text | application (client) id
-- column: sign_ins integer | its sign-ins
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: resources integer | distinct resources signed into
-- column: resource_names list | names of those resources, sorted
-- column: ips integer | distinct client IP addresses (managed identities usually have none)
-- column: last_sign_in time | latest sign-in, successful or not
-- column: last_successful_sign_in time | latest sign-in with error code 0; empty when none succeeded
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-usage-insights-report
SELECT
    log_type,
    service_principal_id,
    max(service_principal_name) AS service_principal_name,
    app_id,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    count(DISTINCT resource_id) AS resources,
    coalesce(list(DISTINCT resource_display_name ORDER BY resource_display_name) FILTER (WHERE resource_display_name IS NOT NULL), []) AS resource_names,
    count(DISTINCT ip_address) AS ips,
    max(created_at) AS last_sign_in,
    max(created_at) FILTER (WHERE error_code = 0) AS last_successful_sign_in
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('servicePrincipal', 'managedIdentity')
GROUP BY log_type, service_principal_id, app_id
ORDER BY last_sign_in DESC, service_principal_name, service_principal_id, app_id
