-- id: app-activity
-- kind: query
-- title: Application sign-in activity per day
-- question: How many user sign-ins did each application get per day, and how many of them succeeded, failed or were interrupted?
-- window: 30d
-- mirrors: Entra admin center > Usage & insights > Application activity (Microsoft Entra application activity)
-- requires: app_id, status
-- log-types: interactiveUser, nonInteractiveUser
-- column: day day | calendar day of the events (UTC), YYYY-MM-DD
-- column: app_id text | application (client) id
-- column: app_display_name text | application name
-- column: sign_ins integer | interactive and non-interactive user sign-ins that day
-- column: successes integer | sign-ins with status success (error code 0)
-- column: failures integer | sign-ins with status failure
-- column: interrupts integer | sign-ins with status interrupted (MFA prompts, "Stay signed in?" and the like)
-- column: success_rate percent | successes as a percentage of sign_ins, one decimal
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-usage-insights-report
SELECT
    strftime(DATE '1970-01-01' + CAST(day_number AS INTEGER), '%Y-%m-%d') AS day,
    app_id,
    max(app_display_name) AS app_display_name,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE status = 'success') AS successes,
    count(*) FILTER (WHERE status = 'failure') AS failures,
    count(*) FILTER (WHERE status = 'interrupted') AS interrupts,
    round(100.0 * count(*) FILTER (WHERE status = 'success') / count(*), 1) AS success_rate
FROM (
    -- whole days since 1970 in UTC: integer arithmetic, no time zone lookup per row
    SELECT epoch_us(created_at) // 86400000000 AS day_number, app_id, app_display_name, status
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
)
GROUP BY day_number, app_id
ORDER BY day_number, sign_ins DESC, app_display_name, app_id
