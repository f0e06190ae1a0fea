-- id: identity-protection-risk
-- kind: detection
-- title: Risky sign-ins
-- question: Which users' sign-ins did Entra ID Protection rate as risky, or leave them at risk or confirmed compromised?
-- window: all
-- severity: high
-- mitre: T1078.004
-- anchor: Microsoft Entra ID Protection sign-in risk (riskLevelDuringSignIn, riskLevelAggregated, riskState) as surfaced by the Microsoft Sentinel Entra ID connector
-- requires: risk_level_during_signin, risk_level_aggregated, risk_state
-- log-types: all
-- param: min_level text medium | lowest risk level reported: low, medium or high (atRisk counts as medium, confirmedCompromised as high)
-- column: severity text | the highest of the user's risky sign-ins: high for risk level high or state confirmedCompromised, medium for level medium or state atRisk, low for level low
-- column: title text | "Risky sign-ins"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every risky sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first risky sign-in
-- column: last_seen time | last risky sign-in
-- column: events integer | sign-ins at or above min_level, by level during sign-in, aggregated level or state
-- column: details text | sign-ins per level, successes, risk event types and risk states
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/id-protection/concept-identity-protection-risks
WITH r AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address, error_code,
        risk_event_types, risk_state,
        greatest(
            CASE lower(risk_level_during_signin) WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
            CASE lower(risk_level_aggregated) WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END,
            CASE lower(risk_state) WHEN 'confirmedcompromised' THEN 3 WHEN 'atrisk' THEN 2 ELSE 0 END
        ) AS level
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE user_principal_name IS NOT NULL
)
SELECT
    CASE max(level) WHEN 3 THEN 'high' WHEN 2 THEN 'medium' ELSE 'low' END AS severity,
    'Risky sign-ins' AS title,
    usr AS user_principal_name,
    CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) || CASE WHEN count(*) = 1 THEN ' risky sign-in' ELSE ' risky sign-ins' END || ' (high: ' || count(*) FILTER (WHERE level = 3) || ', medium: ' || count(*) FILTER (WHERE level = 2)
        || ', low: ' || count(*) FILTER (WHERE level = 1) || '), ' || count(*) FILTER (WHERE error_code = 0) || ' successful'
        || coalesce('; risk events: ' || nullif(array_to_string(list_sort(list_distinct(flatten(list(risk_event_types) FILTER (WHERE risk_event_types IS NOT NULL)))), ', '), ''), '')
        || coalesce('; states: ' || nullif(array_to_string(list(DISTINCT risk_state ORDER BY risk_state) FILTER (WHERE risk_state IS NOT NULL AND lower(risk_state) <> 'none'), ', '), ''), '') AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM r
WHERE level >= CASE lower($min_level) WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE error('identity-protection-risk.min_level must be low, medium or high') END
GROUP BY usr
ORDER BY first_seen, user_principal_name
