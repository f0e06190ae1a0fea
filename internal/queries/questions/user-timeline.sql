-- id: user-timeline
-- kind: query
-- title: Timeline of one user
-- question: What did one user (--user, id or UPN) do, event by event, in time order?
-- window: all
-- mirrors: Entra admin center > Users > Sign-in logs of one user
-- requires: user_id
-- log-types: all
-- needs-filter: user
-- column: created_at time | event time
-- column: log_type text | interactiveUser or nonInteractiveUser
-- column: app_display_name text | application signed in with
-- column: resource_display_name text | resource the token was for
-- column: ip_address text | client IP address
-- column: country text | country or region of the IP address
-- column: city text | city of the IP address
-- column: status text | success, interrupted or failure
-- column: error_code code | sign-in error code; 0 = success
-- column: meaning text | what a non-zero code means (reference table, else the failure reason as exported)
-- column: client_app_used text | client app (Browser, Mobile Apps and Desktop clients, IMAP4, ...)
-- column: browser text | browser as exported
-- column: operating_system text | operating system as exported
-- column: authentication_requirement text | singleFactorAuthentication or multiFactorAuthentication
-- column: conditional_access_status text | success, failure or notApplied
-- column: request_id text | request id of the sign-in
-- column: correlation_id text | groups the requests of one sign-in flow
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-sign-ins
SELECT
    s.created_at,
    s.log_type,
    s.app_display_name,
    s.resource_display_name,
    s.ip_address,
    s.country,
    s.city,
    s.status,
    s.error_code,
    CASE WHEN s.error_code = 0 THEN NULL ELSE coalesce(c.meaning, s.failure_reason) END AS meaning,
    s.client_app_used,
    s.browser,
    s.operating_system,
    s.authentication_requirement,
    s.conditional_access_status,
    s.id AS request_id,
    s.correlation_id
FROM scoped($since, $until, $app, $user, $ip, $log_types) AS s
LEFT JOIN error_codes AS c ON c.code = s.error_code
WHERE $user IS NOT NULL
ORDER BY s.created_at, s.log_type, s.id
