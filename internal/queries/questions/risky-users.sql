-- id: risky-users
-- kind: query
-- title: Users with risky sign-ins
-- question: Which users had risky sign-ins, how risky at most, how many, when last, and which detections?
-- window: 30d
-- mirrors: Entra admin center > ID Protection > Risky users (from the sign-in side)
-- requires: risk_level_during_signin, risk_level_aggregated, risk_state, risk_event_types
-- log-types: interactiveUser, nonInteractiveUser
-- column: user_principal_name text | user principal name (the user is the user id)
-- column: highest_risk text | highest risk level among the user's risky sign-ins (during sign-in or aggregated): high, medium, low; hidden or none when no level was given
-- column: risky_sign_ins integer | user sign-ins with a risk level, a risk state other than none, or a risk detection
-- column: last_risky_sign_in time | latest such sign-in
-- column: latest_risk_state text | risk state of that latest risky sign-in
-- column: risk_event_types list | every risk detection seen on the user's sign-ins, sorted
-- reference: https://learn.microsoft.com/entra/id-protection/howto-identity-protection-investigate-risk
WITH risky AS (
    SELECT
        coalesce(user_id, lower(user_principal_name)) AS who,
        user_principal_name,
        created_at,
        id,
        risk_state,
        risk_event_types,
        greatest(
            CASE risk_level_during_signin WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
            CASE risk_level_aggregated WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END) AS level,
        'hidden' IN (risk_level_during_signin, risk_level_aggregated) AS hidden
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
      AND (risk_level_during_signin IN ('low', 'medium', 'high')
           OR risk_level_aggregated IN ('low', 'medium', 'high')
           OR coalesce(risk_state, 'none') <> 'none'
           OR len(risk_event_types) > 0)
)
SELECT
    max(user_principal_name) AS user_principal_name,
    CASE max(level) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low'
        ELSE CASE WHEN bool_or(hidden) THEN 'hidden' ELSE 'none' END END AS highest_risk,
    count(*) AS risky_sign_ins,
    max(created_at) AS last_risky_sign_in,
    arg_max(risk_state, struct_pack(t := created_at, i := id)) AS latest_risk_state,
    list_sort(list_distinct(flatten(list(risk_event_types)))) AS risk_event_types
FROM risky
GROUP BY who
ORDER BY max(level) DESC, risky_sign_ins DESC, user_principal_name, who
