-- id: aitm-phishing
-- kind: detection
-- title: Office portal sign-ins from HTTP libraries (adversary-in-the-middle)
-- question: Which user sign-ins to OfficeHome, the Office portal or the authentication broker came from an HTTP library rather than a browser, as adversary-in-the-middle phishing kits' relay servers do?
-- window: all
-- severity: high
-- mitre: T1557, T1539
-- anchor: Microsoft's guidance on detecting adversary-in-the-middle (AiTM) phishing and session-cookie theft (Microsoft Threat Intelligence and Defender XDR AiTM write-ups); the user agents are the embedded list internal/reference/httplibraries.tsv, the applications internal/reference/aitmapps.tsv
-- requires: user_agent, app_id
-- log-types: interactiveUser, nonInteractiveUser
-- column: severity text | high when at least one such sign-in succeeded (error code 0); medium when all failed
-- column: title text | "AiTM-style sign-in with <library>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every matching sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first matching sign-in
-- column: last_seen time | last matching sign-in
-- column: events integer | interactive and non-interactive user sign-ins to a listed application (by application id, or by display name when the id is empty) whose user agent contains the library's pattern (case-insensitive; a user agent counts once, for the first pattern of the list it matches)
-- column: details text | successes and failures, the applications, the library and why it matters, and the user agents seen
-- column: evidence list | those sign-ins
-- reference: https://www.microsoft.com/en-us/security/blog/2022/07/12/from-cookie-theft-to-bec-attackers-use-aitm-phishing-sites-as-entry-point-to-further-financial-fraud/
WITH agents AS (
    -- Each distinct user agent is matched against the libraries once (a few hundred agents, not
    -- every sign-in), keeping its first library.
    SELECT DISTINCT user_agent FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE user_agent IS NOT NULL AND log_type IN ('interactiveUser', 'nonInteractiveUser')
),
matched AS (
    SELECT a.user_agent, l.pos, l.library, l.why,
        row_number() OVER (PARTITION BY a.user_agent ORDER BY l.pos) AS rank
    FROM agents a
    JOIN ref_http_libraries l ON contains(lower(a.user_agent), l.pattern)
),
m AS (
    SELECT s.signin_key, s.created_at, lower(s.user_principal_name) AS usr, s.ip_address,
        s.error_code, s.user_agent, a.name AS app, l.pos, l.library, l.why,
        row_number() OVER (PARTITION BY s.signin_key ORDER BY l.pos) AS rank
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    JOIN matched l ON l.user_agent = s.user_agent AND l.rank = 1
    JOIN ref_aitm_apps a ON a.app_id = lower(s.app_id)
        OR (coalesce(s.app_id, '') = '' AND a.name_key = lower(s.app_display_name))
    WHERE s.log_type IN ('interactiveUser', 'nonInteractiveUser')
        AND s.user_principal_name IS NOT NULL
)
SELECT
    CASE WHEN count(*) FILTER (WHERE error_code = 0) > 0 THEN 'high' ELSE 'medium' END AS severity,
    'AiTM-style sign-in with ' || library AS title,
    usr AS user_principal_name,
    CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) FILTER (WHERE error_code = 0) || ' successful, ' || count(*) FILTER (WHERE error_code <> 0)
        || ' failed sign-ins to ' || array_to_string(list(DISTINCT app ORDER BY app), ', ')
        || ' with ' || library || ' (' || why || '); user agents: '
        || array_to_string(list(DISTINCT user_agent ORDER BY user_agent)[1:3], ' | ')
        || CASE WHEN count(DISTINCT user_agent) > 3 THEN ' and ' || (count(DISTINCT user_agent) - 3) || ' more' ELSE '' END AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM m
WHERE rank = 1
GROUP BY usr, pos, library, why
ORDER BY first_seen, user_principal_name, title
