-- id: suspicious-user-agent
-- kind: detection
-- title: Attack tool, HTTP library and admin tool user agents
-- question: Which sign-ins came from the user agents of attack tools (high), generic HTTP libraries (medium) or administrators' shells and command-line tools (low)?
-- window: all
-- severity: high
-- mitre: T1087.004, T1110
-- anchor: Elastic Entra ID rules on tool user agents in sign-in logs (ROADrecon aiohttp enumeration, TeamFiltration, scripted clients); the patterns and their kinds are the embedded, documented list internal/reference/useragents.tsv
-- requires: user_agent
-- log-types: all
-- column: severity text | by the kind of the matched pattern: high for an attack tool, medium for an HTTP library, low for an administration tool (PowerShell, Azure CLI)
-- column: title text | "Tool user agent: <tool>"
-- column: user_principal_name text | the user (lower case), empty for workload identities and when an administration tool's finding covers several users
-- column: ip_address text | the address when every matching sign-in came from one; empty when several
-- column: service_principal_id text | the service principal, for workload identities (empty when several)
-- column: first_seen time | first matching sign-in
-- column: last_seen time | last matching sign-in
-- column: events integer | sign-ins whose user agent contains the tool's pattern (case-insensitive; a user agent counts once, for the first pattern of the list it matches); sign-ins that aitm-phishing reports (a listed Office application with an HTTP-library user agent) are left to it
-- column: details text | successes and failures, the kind of tool and why it matters, the identities when several (an administration tool is reported once per tool, not once per user: it is everyday administration), and the user agents seen
-- column: evidence list | those sign-ins
-- reference: https://attack.mitre.org/techniques/T1087/004/
WITH agents AS (
    -- Each distinct user agent is matched against the patterns once (a few hundred agents, not
    -- every sign-in), with its first pattern and whether it names an HTTP library.
    SELECT DISTINCT user_agent FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE user_agent IS NOT NULL
),
matched AS (
    SELECT a.user_agent, u.pos, u.kind, u.severity, u.tool, u.why,
        EXISTS (SELECT 1 FROM ref_http_libraries l WHERE contains(lower(a.user_agent), l.pattern)) AS http_library,
        row_number() OVER (PARTITION BY a.user_agent ORDER BY u.pos) AS rank
    FROM agents a
    JOIN ref_user_agents u ON contains(lower(a.user_agent), u.pattern)
),
m AS (
    SELECT s.signin_key, s.created_at, coalesce(lower(s.user_principal_name), '') AS usr,
        coalesce(s.service_principal_id, '') AS sp,
        coalesce(lower(s.user_principal_name), s.service_principal_name, s.service_principal_id, '') AS ident,
        s.ip_address, s.error_code, s.user_agent, u.pos, u.kind, u.severity, u.tool, u.why
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    JOIN matched u ON u.user_agent = s.user_agent AND u.rank = 1
    -- The sign-ins aitm-phishing reports (its conditions, repeated): one finding per sign-in.
    WHERE NOT (s.log_type IN ('interactiveUser', 'nonInteractiveUser') AND s.user_principal_name IS NOT NULL
        AND u.http_library
        AND EXISTS (SELECT 1 FROM ref_aitm_apps a WHERE a.app_id = lower(s.app_id)
            OR (coalesce(s.app_id, '') = '' AND a.name_key = lower(s.app_display_name))))
)
SELECT
    severity,
    'Tool user agent: ' || tool AS title,
    CASE WHEN count(DISTINCT usr) = 1 THEN min(usr) ELSE '' END AS user_principal_name,
    CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
    CASE WHEN count(DISTINCT sp) = 1 THEN min(sp) ELSE '' END AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) FILTER (WHERE error_code = 0) || ' successful, ' || count(*) FILTER (WHERE error_code <> 0)
        || ' failed sign-ins with ' || tool || ', ' || replace(kind, '-', ' ') || ' (' || why || ')'
        || CASE WHEN count(DISTINCT ident) > 1 THEN ', by ' || count(DISTINCT ident) || ' identities: '
            || array_to_string(list(DISTINCT ident ORDER BY ident)[1:5], ', ')
            || CASE WHEN count(DISTINCT ident) > 5 THEN ' and ' || (count(DISTINCT ident) - 5) || ' more' ELSE '' END
           ELSE '' END
        || '; user agents: '
        || array_to_string(list(DISTINCT user_agent ORDER BY user_agent)[1:3], ' | ')
        || CASE WHEN count(DISTINCT user_agent) > 3 THEN ' and ' || (count(DISTINCT user_agent) - 3) || ' more' ELSE '' END AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM m
-- Attack tools and HTTP libraries: one finding per identity and tool. Administration tools
-- are everyday work: one finding per tool, naming the identities.
GROUP BY CASE WHEN kind = 'admin-tool' THEN '' ELSE usr END, CASE WHEN kind = 'admin-tool' THEN '' ELSE sp END,
    pos, kind, severity, tool, why
ORDER BY first_seen, user_principal_name, service_principal_id, title
