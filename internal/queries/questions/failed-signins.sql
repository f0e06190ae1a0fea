-- id: failed-signins
-- kind: query
-- title: Failed user sign-ins by error code
-- question: Why did user sign-ins fail, how often, for how many users and from how many addresses?
-- window: 24h
-- mirrors: Entra admin center > Sign-in logs, Status = Failure and Interrupted, grouped by Sign-in error code
-- requires: error_code, user_id, ip_address
-- log-types: interactiveUser, nonInteractiveUser
-- summary: rank=3 | {{plural (sum "failures") "user sign-in" "user sign-ins"}} failed (non-zero error code) in {{window}}{{with $r := first}}; most often {{text $r.error_code}} {{trimdot $r.meaning}} ({{thousands $r.failures}}){{end}}
-- chart: rank=5 category=error_code value=failures describe=meaning | Error codes: failed user sign-ins
-- note: SELECT format('{} failed user sign-ins (non-zero error code): interactiveUser {}, nonInteractiveUser {}', count(*), count(*) FILTER (WHERE log_type = 'interactiveUser'), count(*) FILTER (WHERE log_type = 'nonInteractiveUser')) FROM scoped($since, $until, $app, $user, $ip, $log_types) WHERE log_type IN ('interactiveUser', 'nonInteractiveUser') AND error_code <> 0
-- column: error_code code | sign-in error code (non-zero; `signinlens explain CODE` describes it)
-- column: meaning text | what the code means (reference table), else the failure reason as exported
-- column: failures integer | user sign-ins that ended with this code
-- column: users integer | distinct users (by user id) with this code
-- column: ips integer | distinct client IP addresses with this code
-- column: first_seen time | earliest event with this code
-- column: last_seen time | latest event with this code
-- reference: https://learn.microsoft.com/entra/identity-platform/reference-error-codes
WITH failed AS (
    SELECT
        error_code,
        max(failure_reason) AS failure_reason,
        count(*) AS failures,
        count(DISTINCT user_id) AS users,
        count(DISTINCT ip_address) AS ips,
        min(created_at) AS first_seen,
        max(created_at) AS last_seen
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser') AND error_code <> 0
    GROUP BY error_code
)
SELECT
    f.error_code,
    coalesce(c.meaning, f.failure_reason) AS meaning,
    f.failures,
    f.users,
    f.ips,
    f.first_seen,
    f.last_seen
FROM failed AS f
LEFT JOIN error_codes AS c ON c.code = f.error_code
ORDER BY f.failures DESC, f.error_code
