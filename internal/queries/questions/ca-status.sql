-- id: ca-status
-- kind: query
-- title: Conditional Access status per log
-- question: What share of each log's sign-ins did Conditional Access grant, block, or not apply to at all?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, column Conditional Access
-- requires: conditional_access_status
-- log-types: all
-- column: log_type text | interactiveUser, nonInteractiveUser, servicePrincipal or managedIdentity
-- column: conditional_access_status text | success, failure or notApplied (the overall outcome); "(not recorded)" when empty
-- column: sign_ins integer | sign-ins with this outcome
-- column: identities integer | distinct users (user logs) or service principals (workload logs)
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: share_pct percent | sign_ins as a percentage of the log type's sign-ins, one decimal
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-conditional-access
SELECT
    log_type,
    coalesce(nullif(conditional_access_status, ''), '(not recorded)') AS conditional_access_status,
    count(*) AS sign_ins,
    count(DISTINCT coalesce(user_id, service_principal_id, app_id)) AS identities,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY log_type), 1) AS share_pct
FROM scoped($since, $until, $app, $user, $ip, $log_types)
GROUP BY log_type, 2
ORDER BY CASE log_type WHEN 'interactiveUser' THEN 1 WHEN 'nonInteractiveUser' THEN 2
    WHEN 'servicePrincipal' THEN 3 ELSE 4 END, sign_ins DESC, conditional_access_status
