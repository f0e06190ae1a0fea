-- id: suspicious-user-agent
-- kind: detection
-- title: Attack and scripting tool user agents
-- question: Which sign-ins came from the user agents of attack, reconnaissance or scripting tools?
-- window: all
-- severity: medium
-- mitre: T1087.004, T1110
-- anchor: Elastic Entra ID rules on tool user agents in sign-in logs (ROADrecon aiohttp enumeration, TeamFiltration, scripted clients); the patterns are the embedded, documented list internal/reference/useragents.tsv
-- requires: user_agent
-- log-types: all
-- column: severity text | medium
-- column: title text | "Tool user agent: <tool>"
-- column: user_principal_name text | the user (lower case), empty for workload identities
-- column: ip_address text | the address when every matching sign-in came from one; empty when several
-- column: service_principal_id text | the service principal, for workload identities
-- column: first_seen time | first matching sign-in
-- column: last_seen time | last matching sign-in
-- column: events integer | sign-ins whose user agent contains the tool's pattern (case-insensitive; a user agent counts once, for the first pattern of the list it matches)
-- column: details text | successes and failures, why the tool matters, and the user agents seen
-- column: evidence list | those sign-ins
-- reference: https://attack.mitre.org/techniques/T1087/004/
WITH m AS (
    SELECT s.signin_key, s.created_at, s.user_principal_name, s.service_principal_id, s.ip_address,
        s.error_code, s.user_agent, u.pos, u.tool, u.why,
        row_number() OVER (PARTITION BY s.signin_key ORDER BY u.pos) AS rank
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    JOIN ref_user_agents u ON contains(lower(s.user_agent), u.pattern)
)
SELECT
    'medium' AS severity,
    'Tool user agent: ' || tool AS title,
    coalesce(lower(user_principal_name), '') AS user_principal_name,
    CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
    coalesce(service_principal_id, '') AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) FILTER (WHERE error_code = 0) || ' successful, ' || count(*) FILTER (WHERE error_code <> 0)
        || ' failed sign-ins with ' || tool || ' (' || why || '); user agents: '
        || array_to_string(list(DISTINCT user_agent ORDER BY user_agent)[1:3], ' | ')
        || CASE WHEN count(DISTINCT user_agent) > 3 THEN ' and ' || (count(DISTINCT user_agent) - 3) || ' more' ELSE '' END AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM m
WHERE rank = 1
GROUP BY coalesce(lower(user_principal_name), ''), coalesce(service_principal_id, ''), pos, tool, why
ORDER BY first_seen, user_principal_name, service_principal_id, title
