-- id: risky-signins
-- kind: query
-- title: Risky user sign-ins
-- question: Which user sign-ins did Identity Protection rate as risky, with what level, state and detections?
-- window: 30d
-- mirrors: Entra admin center > ID Protection > Risky sign-ins
-- requires: risk_level_during_signin, risk_level_aggregated, risk_state, risk_event_types
-- log-types: interactiveUser, nonInteractiveUser
-- column: created_at time | event time
-- column: user_principal_name text | user principal name
-- column: app_display_name text | application signed in with
-- column: ip_address text | client IP address
-- column: country text | two-letter country or region of the IP address
-- column: risk_level_during_signin text | low, medium or high at sign-in time (hidden without an Entra ID P2 licence)
-- column: risk_level_aggregated text | aggregated risk level of the sign-in
-- column: risk_state text | atRisk, confirmedCompromised, remediated, dismissed, ...
-- column: risk_detail text | reason for the risk state
-- column: risk_event_types list | risk detections behind the rating (unfamiliarFeatures, anonymizedIPAddress, ...)
-- column: status text | success, interrupted or failure
-- column: request_id text | request id of the sign-in, to find it in the portal
-- reference: https://learn.microsoft.com/entra/id-protection/howto-identity-protection-investigate-risk
SELECT
    created_at,
    user_principal_name,
    app_display_name,
    ip_address,
    country,
    risk_level_during_signin,
    risk_level_aggregated,
    risk_state,
    risk_detail,
    risk_event_types,
    status,
    id AS request_id
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
  AND (risk_level_during_signin IN ('low', 'medium', 'high')
       OR risk_level_aggregated IN ('low', 'medium', 'high')
       OR coalesce(risk_state, 'none') <> 'none'
       OR len(risk_event_types) > 0)
ORDER BY created_at DESC, id
