-- id: risky-workload-identities
-- kind: query
-- title: Workload identities with risky sign-ins
-- question: Which service principals and managed identities had sign-ins rated as risky, how risky, and which detections?
-- window: 30d
-- mirrors: Entra admin center > ID Protection > Risky workload identities (from the sign-in side)
-- requires: risk_level_during_signin, risk_level_aggregated, risk_state, risk_event_types
-- log-types: managedIdentity, servicePrincipal
-- column: log_type text | servicePrincipal or managedIdentity
-- column: service_principal_id text | object id of the service principal or managed identity
-- column: service_principal_name text | its name
-- column: app_id text | application (client) id
-- column: highest_risk text | highest risk level among its risky sign-ins: high, medium, low; hidden or none when no level was given
-- column: risky_sign_ins integer | sign-ins with a risk level, a risk state other than none, or a risk detection
-- column: last_risky_sign_in time | latest such sign-in
-- column: latest_risk_state text | risk state of that latest risky sign-in
-- column: risk_event_types list | every risk detection seen on its sign-ins, sorted
-- reference: https://learn.microsoft.com/entra/id-protection/concept-workload-identity-risk
WITH risky AS (
    SELECT
        log_type,
        service_principal_id,
        service_principal_name,
        app_id,
        created_at,
        id,
        risk_state,
        risk_event_types,
        greatest(
            CASE risk_level_during_signin WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
            CASE risk_level_aggregated WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) AS level,
        'hidden' IN (risk_level_during_signin, risk_level_aggregated) AS hidden
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('servicePrincipal', 'managedIdentity')
      AND (risk_level_during_signin IN ('low', 'medium', 'high')
           OR risk_level_aggregated IN ('low', 'medium', 'high')
           OR coalesce(risk_state, 'none') <> 'none'
           OR len(risk_event_types) > 0)
)
SELECT
    log_type,
    service_principal_id,
    max(service_principal_name) AS service_principal_name,
    app_id,
    CASE max(level) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low'
        ELSE CASE WHEN bool_or(hidden) THEN 'hidden' ELSE 'none' END END AS highest_risk,
    count(*) AS risky_sign_ins,
    max(created_at) AS last_risky_sign_in,
    arg_max(risk_state, struct_pack(t := created_at, i := id)) AS latest_risk_state,
    list_sort(list_distinct(flatten(list(risk_event_types)))) AS risk_event_types
FROM risky
GROUP BY log_type, service_principal_id, app_id
ORDER BY max(level) DESC, risky_sign_ins DESC, service_principal_name, service_principal_id, app_id
