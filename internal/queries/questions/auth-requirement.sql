-- id: auth-requirement
-- kind: query
-- title: Single-factor and multifactor sign-ins by application and user
-- question: Which users get into which applications with a password alone, and which with multifactor authentication?
-- window: 30d
-- mirrors: Entra admin center > Usage & insights > Authentication methods activity (sign-ins by authentication requirement)
-- requires: authentication_requirement
-- log-types: interactiveUser, nonInteractiveUser
-- column: app_id text | application (client) id
-- column: app_display_name text | application name
-- column: user_principal_name text | user principal name (the user is the user id)
-- column: successful_sign_ins integer | successful (error code 0) interactive and non-interactive user sign-ins
-- column: single_factor integer | of those, sign-ins whose requirement was singleFactorAuthentication
-- column: multi_factor integer | of those, sign-ins whose requirement was multiFactorAuthentication
-- column: multi_factor_pct percent | multi_factor as a percentage of single_factor + multi_factor, one decimal; empty when neither is recorded
-- reference: https://learn.microsoft.com/graph/api/resources/signin
SELECT
    app_id,
    max(app_display_name) AS app_display_name,
    max(user_principal_name) AS user_principal_name,
    count(*) AS successful_sign_ins,
    count(*) FILTER (WHERE authentication_requirement = 'singleFactorAuthentication') AS single_factor,
    count(*) FILTER (WHERE authentication_requirement = 'multiFactorAuthentication') AS multi_factor,
    round(100.0 * count(*) FILTER (WHERE authentication_requirement = 'multiFactorAuthentication')
        / nullif(count(*) FILTER (WHERE authentication_requirement IN ('singleFactorAuthentication', 'multiFactorAuthentication')), 0), 1) AS multi_factor_pct
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser') AND error_code = 0
GROUP BY app_id, coalesce(user_id, lower(user_principal_name))
ORDER BY single_factor DESC, app_display_name, user_principal_name, app_id, coalesce(user_id, lower(user_principal_name))
