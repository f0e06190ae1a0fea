-- id: daily
-- kind: query
-- title: Sign-ins per day and log
-- question: How many sign-ins did each log record per day, and how many succeeded, were interrupted or failed?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, Status column per day
-- requires: status
-- log-types: all
-- column: day day | calendar day of the events (UTC), YYYY-MM-DD
-- column: log_type text | interactiveUser, nonInteractiveUser, servicePrincipal or managedIdentity
-- column: sign_ins integer | sign-ins that day
-- column: successes integer | status success (error code 0)
-- column: interrupts integer | status interrupted (the flow stopped for MFA, consent, "Stay signed in?" ...)
-- column: failures integer | status failure
-- column: identities integer | distinct users (user logs) or service principals (workload logs)
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-sign-ins
SELECT
    strftime(DATE '1970-01-01' + CAST(day_number AS INTEGER), '%Y-%m-%d') AS day,
    log_type,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE status = 'success') AS successes,
    count(*) FILTER (WHERE status = 'interrupted') AS interrupts,
    count(*) FILTER (WHERE status = 'failure') AS failures,
    count(DISTINCT who) AS identities
FROM (
    -- whole days since 1970 in UTC: integer arithmetic, no time zone lookup per row
    SELECT epoch_us(created_at) // 86400000000 AS day_number, log_type, status,
        coalesce(user_id, service_principal_id, app_id) AS who
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
)
GROUP BY day_number, log_type
ORDER BY day_number, CASE log_type WHEN 'interactiveUser' THEN 1 WHEN 'nonInteractiveUser' THEN 2
    WHEN 'servicePrincipal' THEN 3 ELSE 4 END
