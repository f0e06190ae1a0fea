-- id: mi-new-resource
-- kind: detection
-- title: Workload identity reaching a new resource
-- question: Did a managed identity or service principal reach, in the last day of the export, a resource it never reached before?
-- window: all
-- severity: low
-- mitre: T1078.004
-- anchor: Microsoft Sentinel UEBA-style first-seen anomalies for workload identities and Elastic new-terms rules on service principal sign-ins (a resource never seen for the identity in the look-back)
-- requires: resource_id, service_principal_id
-- log-types: managedIdentity, servicePrincipal
-- param: recent duration 1d | the recent period, ending at the as-of time; everything in the window before it is the baseline
-- column: severity text | low: new deployments do this too; check what the identity did there
-- column: title text | "New resource for <identity>: <resource>"
-- column: user_principal_name text | empty
-- column: ip_address text | the address when every such sign-in came from one; empty when several (managed identities have none)
-- column: service_principal_id text | the service principal or managed identity
-- column: first_seen time | first successful sign-in of the identity to the resource
-- column: last_seen time | last one
-- column: events integer | successful sign-ins of the identity to the resource, all in the recent period. Identities without any sign-in before the recent period are left out: for them every resource is new
-- column: details text | the resource and what the identity reached in the baseline
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-service-principal-sign-ins
WITH s AS (
    SELECT signin_key, created_at, log_type, service_principal_id AS sp,
        coalesce(service_principal_name, app_display_name, service_principal_id) AS name, ip_address,
        lower(coalesce(resource_id, resource_display_name)) AS res,
        coalesce(resource_display_name, resource_id) AS res_name
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('servicePrincipal', 'managedIdentity') AND error_code = 0
      AND service_principal_id IS NOT NULL AND coalesce(resource_id, resource_display_name) IS NOT NULL
),
baseline AS (
    SELECT sp, min(created_at) AS since, count(*) AS n, count(DISTINCT res) AS resources,
        list(DISTINCT res_name ORDER BY res_name) AS names
    FROM s WHERE created_at <= $until - to_seconds($recent)
    GROUP BY sp
),
per_resource AS (
    SELECT sp, res, min(res_name) AS res_name, min(name) AS name, min(log_type) AS log_type,
        min(created_at) AS first_use, max(created_at) AS last_use, count(*) AS n,
        CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM s GROUP BY sp, res
)
SELECT
    'low' AS severity,
    'New resource for ' || r.name || ': ' || r.res_name AS title,
    '' AS user_principal_name,
    r.ip_address,
    r.sp AS service_principal_id,
    r.first_use AS first_seen,
    r.last_use AS last_seen,
    r.n AS events,
    CASE r.log_type WHEN 'managedIdentity' THEN 'managed identity ' ELSE 'service principal ' END || r.name
        || ' reached ' || r.res_name || ' ' || r.n || CASE WHEN r.n = 1 THEN ' time' ELSE ' times' END
        || ' from ' || strftime(r.first_use, '%Y-%m-%dT%H:%M:%SZ') || '; before that it reached '
        || b.resources || CASE WHEN b.resources = 1 THEN ' other resource' ELSE ' other resources' END
        || ' (' || array_to_string(b.names, ', ') || ') in ' || b.n || CASE WHEN b.n = 1 THEN ' sign-in' ELSE ' sign-ins' END || ' since '
        || strftime(b.since, '%Y-%m-%dT%H:%M:%SZ') AS details,
    r.keys AS evidence
FROM per_resource r JOIN baseline b USING (sp)
WHERE r.first_use > $until - to_seconds($recent)
ORDER BY first_seen, service_principal_id, title
