-- id: signin-sessions
-- kind: query
-- title: Sign-in sessions
-- question: Which sign-in sessions did users have, and from how many networks, countries, user agents and devices was each one used?
-- window: all
-- requires: session_id
-- log-types: interactiveUser, nonInteractiveUser
-- column: session_id text | session identifier Entra ID shares among the sign-ins of one browser or app session (sign-ins without one are left out)
-- column: user_id text | the user's object id (the smallest, should a session show several)
-- column: user_principal_name text | the user (lower case; the smallest, should a session show several)
-- column: first_seen time | earliest sign-in of the session
-- column: last_seen time | latest sign-in of the session
-- column: sign_ins integer | interactive and non-interactive user sign-ins with this session id
-- column: ip_addresses integer | distinct client IP addresses
-- column: asns integer | distinct autonomous system numbers of those addresses
-- column: countries integer | distinct countries or regions
-- column: user_agents integer | distinct user agents
-- column: devices integer | distinct devices: the device id, or the device name when the id is empty
-- column: apps integer | distinct applications (by app id)
-- column: failed_sign_ins integer | those with a non-zero error code (interrupts included)
-- reference: https://learn.microsoft.com/graph/api/resources/signin
SELECT
    -- window all: a session can outlive any fixed window, and one cut at the window's start
    -- would hide the network or device it began on
    session_id,
    coalesce(min(nullif(user_id, '')), '') AS user_id,
    coalesce(min(lower(nullif(user_principal_name, ''))), '') AS user_principal_name,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS sign_ins,
    count(DISTINCT nullif(ip_address, '')) AS ip_addresses,
    count(DISTINCT autonomous_system_number) AS asns,
    count(DISTINCT nullif(country, '')) AS countries,
    count(DISTINCT nullif(user_agent, '')) AS user_agents,
    count(DISTINCT coalesce(nullif(device_id, ''), nullif(device_name, ''))) AS devices,
    count(DISTINCT nullif(app_id, '')) AS apps,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
    AND coalesce(session_id, '') <> ''
GROUP BY session_id
ORDER BY asns DESC, countries DESC, sign_ins DESC, session_id
