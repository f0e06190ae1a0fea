-- id: workload-access
-- kind: query
-- title: Workload identities and the resources they reach
-- question: Which service principals and managed identities signed in to which resources, and when?
-- window: all
-- mirrors: Entra admin center > Sign-in logs > Service principal sign-ins and Managed identity sign-ins
-- requires: service_principal_id, resource_id
-- log-types: managedIdentity, servicePrincipal
-- summary: rank=6 | {{plural (distinctWhere "service_principal_id" "log_type" "servicePrincipal") "service principal" "service principals"}} and {{plural (distinctWhere "service_principal_id" "log_type" "managedIdentity") "managed identity" "managed identities"}} signed in to {{plural (distinct "resource_id") "resource" "resources"}} ({{plural (sum "sign_ins") "sign-in" "sign-ins"}}) in {{window}}; {{thousands (sum "failed_sign_ins")}} failed
-- column: log_type text | servicePrincipal or managedIdentity
-- column: service_principal_id text | object id of the service principal or managed identity
-- column: service_principal_name text | its name
-- column: app_id text | application (client) id
-- column: resource_id text | application id of the resource signed into
-- column: resource_display_name text | name of the resource
-- column: sign_ins integer | sign-ins of this identity to this resource
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: first_seen time | earliest such sign-in
-- column: last_seen time | latest such sign-in
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-service-principal-sign-ins
SELECT
    log_type,
    service_principal_id,
    max(service_principal_name) AS service_principal_name,
    app_id,
    resource_id,
    max(resource_display_name) AS resource_display_name,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('servicePrincipal', 'managedIdentity')
GROUP BY log_type, service_principal_id, app_id, resource_id
ORDER BY CASE log_type WHEN 'servicePrincipal' THEN 1 ELSE 2 END, service_principal_name, service_principal_id,
    sign_ins DESC, resource_display_name, resource_id, app_id
