-- id: ropc
-- kind: detection
-- title: Resource-owner password credential sign-ins
-- question: Who signed in with the resource-owner password credentials flow, which sends the password itself and cannot do MFA?
-- window: all
-- severity: medium
-- mitre: T1078.004
-- anchor: Elastic "Entra ID ROPC Authentication with Unknown Client ID" (authenticationProtocol ropc); here every ROPC sign-in is reported, including basic authentication converted to ROPC (user agent BAV2ROPC)
-- requires: authentication_protocol
-- log-types: all
-- column: severity text | medium when a ROPC sign-in succeeded; low when all failed
-- column: title text | "ROPC sign-in"
-- column: user_principal_name text | the user (lower case); for failures only, empty when the address failed for several users (a spray: listed in details)
-- column: ip_address text | the address the sign-ins came from
-- column: service_principal_id text | empty
-- column: first_seen time | first ROPC sign-in of the user (failures only: of the address)
-- column: last_seen time | last one
-- column: events integer | sign-ins with authentication protocol ropc or a user agent containing BAV2ROPC
-- column: details text | successes and failures, the users when several, and the applications they were for
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
WITH r AS (
    SELECT signin_key, created_at, error_code, app_display_name, user_agent,
        coalesce(lower(user_principal_name), '') AS usr, coalesce(ip_address, '') AS ip
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE lower(authentication_protocol) = 'ropc' OR user_agent ILIKE '%bav2ropc%'
),
-- A user with a success from an address is judged alone; failed-only attempts are judged
-- per address, so that a spray over ROPC is one finding rather than one per user tried.
g AS (
    SELECT *, CASE WHEN count(*) FILTER (WHERE error_code = 0) OVER (PARTITION BY usr, ip) > 0 THEN usr END AS who
    FROM r
)
SELECT
    CASE WHEN count(*) FILTER (WHERE error_code = 0) > 0 THEN 'medium' ELSE 'low' END AS severity,
    'ROPC sign-in' AS title,
    CASE WHEN count(DISTINCT usr) = 1 THEN min(usr) ELSE '' END AS user_principal_name,
    ip AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) FILTER (WHERE error_code = 0) || ' successful, ' || count(*) FILTER (WHERE error_code <> 0)
        || ' failed password-only (ROPC) sign-ins'
        || CASE WHEN count(DISTINCT usr) > 1 THEN ' for ' || count(DISTINCT usr) || ' users (' || array_to_string(list(DISTINCT usr ORDER BY usr), ', ') || ')' ELSE '' END
        || CASE WHEN count(*) FILTER (WHERE user_agent ILIKE '%bav2ropc%') > 0
           THEN ', ' || count(*) FILTER (WHERE user_agent ILIKE '%bav2ropc%') || ' of them basic authentication converted to ROPC (BAV2ROPC)' ELSE '' END
        || coalesce(' to ' || array_to_string(list(DISTINCT app_display_name ORDER BY app_display_name) FILTER (WHERE app_display_name IS NOT NULL), ', '), '') AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM g
GROUP BY who, ip
ORDER BY first_seen, user_principal_name, ip_address
