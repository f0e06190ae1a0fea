-- id: brute-force
-- kind: detection
-- title: Brute force against one account
-- question: Did one user's sign-ins fail with a wrong password many times within a short time, and did a success follow?
-- window: all
-- severity: medium
-- mitre: T1110.001
-- anchor: Elastic "Potential Brute Force via Entra ID Sign-Ins" (password guessing: many failures for one user in a short window) and Microsoft Sentinel "Brute force attack against Azure Portal" (failures followed by a success)
-- requires: error_code, user_principal_name
-- log-types: all
-- param: min_failures integer 20 | failed sign-ins of one user that must fall within one window
-- param: window duration 1h | length of the sliding window; overlapping windows that reach the threshold merge into one burst
-- column: severity text | medium; high when the user then signs in successfully (after the burst's first failure, at most one window after its last)
-- column: title text | "Brute force: N failed passwords"
-- column: user_principal_name text | the targeted user (lower case)
-- column: ip_address text | the source address when every failure came from one; empty when several (counted in details)
-- column: service_principal_id text | empty
-- column: first_seen time | first failure of the burst
-- column: last_seen time | last failure of the burst
-- column: events integer | failed sign-ins in the burst (bad password 50126, locked 50053, no password 50056)
-- column: details text | failures per error code, source addresses, and the success that followed
-- column: evidence list | the burst's failures and the successes that escalated it
-- reference: https://attack.mitre.org/techniques/T1110/001/
WITH fails AS (
    SELECT signin_key, created_at, ip_address, lower(user_principal_name) AS usr, error_code
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code IN (50126, 50053, 50056) AND user_principal_name IS NOT NULL
),
-- Every failure opens a window; keep the windows that reach the threshold.
hits AS (
    SELECT DISTINCT usr, t FROM (
        SELECT usr, created_at AS t,
            count(*) OVER (PARTITION BY usr ORDER BY created_at
                RANGE BETWEEN CURRENT ROW AND to_seconds($window) FOLLOWING) AS n
        FROM fails)
    WHERE n >= $min_failures
),
-- Windows that overlap belong to one burst.
bursts AS (
    SELECT usr, t,
        sum(CASE WHEN prev IS NULL OR t > prev + to_seconds($window) THEN 1 ELSE 0 END)
            OVER (PARTITION BY usr ORDER BY t ROWS UNBOUNDED PRECEDING) AS burst
    FROM (SELECT usr, t, lag(t) OVER (PARTITION BY usr ORDER BY t) AS prev FROM hits)
),
spans AS (
    SELECT usr, burst, min(t) AS span_start, max(t) + to_seconds($window) AS span_end
    FROM bursts GROUP BY usr, burst
),
burst_fails AS (
    SELECT s.burst, f.*
    FROM spans s JOIN fails f ON f.usr = s.usr AND f.created_at BETWEEN s.span_start AND s.span_end
),
agg AS (
    SELECT usr, burst,
        min(created_at) AS first_seen, max(created_at) AS last_seen, count(*) AS events,
        count(DISTINCT ip_address) AS ips,
        CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM burst_fails GROUP BY usr, burst
),
codes AS (
    SELECT usr, burst, string_agg(error_code || ': ' || n, ', ' ORDER BY error_code) AS per_code
    FROM (SELECT usr, burst, error_code, count(*) AS n FROM burst_fails GROUP BY ALL)
    GROUP BY usr, burst
),
wins AS (
    SELECT a.usr, a.burst, min(s.created_at) AS won_at,
        list(DISTINCT s.ip_address ORDER BY s.ip_address) AS won_from,
        list(s.signin_key ORDER BY s.created_at, s.signin_key) AS keys
    FROM agg a
    JOIN (SELECT signin_key, created_at, coalesce(ip_address, '') AS ip_address, lower(user_principal_name) AS usr
          FROM scoped($since, $until, $app, $user, $ip, $log_types) WHERE error_code = 0) s
      ON s.usr = a.usr AND s.created_at > a.first_seen AND s.created_at <= a.last_seen + to_seconds($window)
    GROUP BY a.usr, a.burst
)
SELECT
    CASE WHEN w.keys IS NULL THEN 'medium' ELSE 'high' END AS severity,
    'Brute force: ' || a.events || ' failed passwords' AS title,
    a.usr AS user_principal_name,
    a.ip_address,
    '' AS service_principal_id,
    a.first_seen,
    a.last_seen,
    a.events,
    a.events || ' failed sign-ins (' || c.per_code || ') from ' || a.ips
        || CASE WHEN a.ips = 1 THEN ' IP address' ELSE ' IP addresses' END
        || CASE WHEN w.keys IS NULL THEN ''
           ELSE '; then signed in successfully at ' || strftime(w.won_at, '%Y-%m-%dT%H:%M:%SZ')
                || ' from ' || array_to_string(w.won_from, ', ') END AS details,
    list_concat(a.keys, coalesce(w.keys, [])) AS evidence
FROM agg a
JOIN codes c USING (usr, burst)
LEFT JOIN wins w USING (usr, burst)
ORDER BY first_seen, user_principal_name
