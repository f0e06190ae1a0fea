-- id: ips
-- kind: query
-- title: Client IP addresses
-- question: Which IP addresses signed in, for how many users and service principals, with how many failures, from which countries and networks?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, column IP address
-- requires: ip_address
-- log-types: all
-- column: ip_address text | client IP address (sign-ins without one are left out)
-- column: sign_ins integer | sign-ins from it, every log type
-- column: users integer | distinct users (by user id)
-- column: service_principals integer | distinct service principals
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: countries list | countries or regions recorded for it, sorted
-- column: asns list | autonomous system numbers recorded for it, sorted
-- column: first_seen time | earliest sign-in from it
-- column: last_seen time | latest sign-in from it
-- reference: https://learn.microsoft.com/graph/api/resources/signin
WITH per_identity AS (
    -- one row per address, identity, country and network first
    SELECT
        ip_address,
        user_id,
        service_principal_id,
        nullif(country, '') AS country,
        autonomous_system_number,
        count(*) AS sign_ins,
        count(*) FILTER (WHERE error_code <> 0) AS failed,
        min(created_at) AS first_seen,
        max(created_at) AS last_seen
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE nullif(ip_address, '') IS NOT NULL
    GROUP BY ip_address, user_id, service_principal_id, 4, autonomous_system_number
)
SELECT
    ip_address,
    sum(sign_ins)::BIGINT AS sign_ins,
    count(DISTINCT user_id) AS users,
    count(DISTINCT service_principal_id) AS service_principals,
    sum(failed)::BIGINT AS failed_sign_ins,
    coalesce(list(DISTINCT country ORDER BY country) FILTER (WHERE country IS NOT NULL), []) AS countries,
    coalesce(list(DISTINCT autonomous_system_number ORDER BY autonomous_system_number) FILTER (WHERE autonomous_system_number IS NOT NULL), []) AS asns,
    min(first_seen) AS first_seen,
    max(last_seen) AS last_seen
FROM per_identity
GROUP BY ip_address
ORDER BY sign_ins DESC, ip_address
