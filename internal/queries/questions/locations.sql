-- id: locations
-- kind: query
-- title: Sign-in locations
-- question: From which countries and cities did sign-ins come, for how many users and service principals, and how many failed?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, column Location
-- requires: country, city
-- log-types: all
-- chart: rank=4 category=country value=sign_ins add-up | Countries: sign-ins
-- column: country text | two-letter country or region code of the client IP; "(unknown)" when empty
-- column: city text | city of the client IP; "(unknown)" when empty
-- column: sign_ins integer | sign-ins from there, every log type
-- column: users integer | distinct users (by user id)
-- column: service_principals integer | distinct service principals and managed identities
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: ips integer | distinct client IP addresses
-- column: first_seen time | earliest sign-in from there
-- column: last_seen time | latest sign-in from there
-- reference: https://learn.microsoft.com/graph/api/resources/signinlocation
WITH per_identity AS (
    -- one row per place, identity and address first: the distinct counts then run on few rows
    SELECT
        coalesce(nullif(country, ''), '(unknown)') AS country,
        coalesce(nullif(city, ''), '(unknown)') AS city,
        user_id,
        service_principal_id,
        ip_address,
        count(*) AS sign_ins,
        count(*) FILTER (WHERE error_code <> 0) AS failed,
        min(created_at) AS first_seen,
        max(created_at) AS last_seen
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    GROUP BY 1, 2, user_id, service_principal_id, ip_address
)
SELECT
    country,
    city,
    sum(sign_ins)::BIGINT AS sign_ins,
    count(DISTINCT user_id) AS users,
    count(DISTINCT service_principal_id) AS service_principals,
    sum(failed)::BIGINT AS failed_sign_ins,
    count(DISTINCT ip_address) AS ips,
    min(first_seen) AS first_seen,
    max(last_seen) AS last_seen
FROM per_identity
GROUP BY country, city
ORDER BY sign_ins DESC, country, city
