-- id: who-how-what
-- kind: query
-- title: Who signed in, with which app, to what
-- question: Which user reached which resource through which application, how often, and when last?
-- window: all
-- requires: user_id, app_id, resource_id
-- log-types: interactiveUser, nonInteractiveUser
-- summary: rank=7 | {{plural (distinct "user_principal_name") "user" "users"}} reached {{plural (distinct "resource_display_name") "resource" "resources"}} through {{plural (distinct "app_display_name") "application" "applications"}} ({{plural (sum "sign_ins") "sign-in" "sign-ins"}}, {{plural (len rows) "user-app-resource combination" "user-app-resource combinations"}}) in {{window}}{{with $r := busiest "sign_ins"}}; busiest: {{text $r.user_principal_name}} via {{text $r.app_display_name}} to {{text $r.resource_display_name}} ({{thousands $r.sign_ins}}){{end}}
-- column: user_principal_name text | user principal name (the user is the user id; the name shown is the greatest seen)
-- column: app_display_name text | application (client) the user signed in with
-- column: resource_display_name text | resource the token was for
-- column: sign_ins integer | interactive and non-interactive user sign-ins of this user, app and resource
-- column: failed_sign_ins integer | those with a non-zero error code (interrupts included)
-- column: last_seen time | latest such sign-in
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-sign-ins
SELECT
    max(user_principal_name) AS user_principal_name,
    max(app_display_name) AS app_display_name,
    max(resource_display_name) AS resource_display_name,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    max(created_at) AS last_seen
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
GROUP BY coalesce(user_id, lower(user_principal_name)), app_id, resource_id
ORDER BY user_principal_name, app_display_name, resource_display_name, sign_ins DESC,
    coalesce(user_id, lower(user_principal_name)), app_id, resource_id
