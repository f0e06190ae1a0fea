-- id: log-types
-- kind: query
-- title: Sign-ins per log type
-- question: How many sign-ins, failures and identities does each of the four sign-in logs hold?
-- window: all
-- mirrors: Entra admin center > Sign-in logs (the four tabs)
-- requires: log_type
-- log-types: all
-- summary: rank=1 | {{plural (sum "sign_ins") "sign-in" "sign-ins"}} in {{window}}{{range $i, $r := rows}}{{if $i}}, {{else}}: {{end}}{{text $r.log_type}} {{thousands $r.sign_ins}}{{end}}; {{thousands (sum "failed_sign_ins")}} failed
-- column: log_type text | interactiveUser, nonInteractiveUser, servicePrincipal or managedIdentity
-- column: sign_ins integer | sign-in events
-- column: failed_sign_ins integer | events with a non-zero error code
-- column: identities integer | distinct users (user logs) or service principals (workload logs)
-- column: first_seen time | earliest event
-- column: last_seen time | latest event
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-sign-ins
SELECT
    log_type,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    count(DISTINCT coalesce(nullif(user_id, ''), service_principal_id, app_id)) AS identities,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen
FROM scoped($since, $until, $app, $user, $ip, $log_types)
GROUP BY log_type
ORDER BY CASE log_type WHEN 'interactiveUser' THEN 1 WHEN 'nonInteractiveUser' THEN 2
    WHEN 'servicePrincipal' THEN 3 ELSE 4 END
