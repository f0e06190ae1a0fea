-- id: app-users
-- kind: query
-- title: Users per application
-- question: Which applications did users sign in to, how many users got in, and how many only tried?
-- window: 7d
-- mirrors: Entra admin center > Enterprise applications > Usage & insights (application sign-in activity)
-- requires: app_id, user_id
-- log-types: interactiveUser, nonInteractiveUser
-- summary: rank=2 | {{if not rows}}No user signed in to any application in {{window}}{{else}}{{with $r := first}}{{plural $r.users_signed_in "user" "users"}} signed into {{or (text $r.app_display_name) (printf "(unnamed application %s)" (text $r.app_id))}} in {{window}}{{end}} (the most of the {{plural (len rows) "application" "applications"}} users signed in to or tried){{end}}
-- chart: rank=1 category=app_display_name value=users_signed_in | Applications: users signed in
-- column: app_id text | application (client) id
-- column: app_display_name text | application name
-- column: users_signed_in integer | distinct users (by user id) with at least one successful user sign-in (error code 0)
-- column: users_attempted integer | distinct users with any user sign-in, successful or not
-- column: sign_ins integer | interactive and non-interactive user sign-ins
-- column: failed_sign_ins integer | user sign-ins with a non-zero error code (interrupts included)
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-usage-insights-report
SELECT
    app_id,
    max(app_display_name) AS app_display_name,
    count(DISTINCT user_id) FILTER (WHERE error_code = 0) AS users_signed_in,
    count(DISTINCT user_id) AS users_attempted,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
GROUP BY app_id
ORDER BY users_signed_in DESC, sign_ins DESC, app_display_name, app_id
