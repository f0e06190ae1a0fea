-- id: password-spray
-- kind: detection
-- title: Password spray
-- question: Did one IP address fail to sign in as many different users within a short time, and did any of them then get in?
-- window: all
-- severity: medium
-- mitre: T1110.003
-- anchor: Microsoft Sentinel "Password spray attack against Microsoft Entra ID application" (SigninPasswordSpray.yaml): failures for many accounts from one IP address within a time window, with any later success from that address
-- requires: error_code, ip_address, user_principal_name
-- log-types: all
-- param: min_users integer 10 | distinct users that must fail from one IP address within one window
-- param: window duration 1h | length of the sliding window; overlapping windows that reach the threshold merge into one burst
-- column: severity text | medium; high when a targeted user then signs in successfully from the same IP address (after the burst's first failure, at most one window after its last)
-- column: title text | "Password spray against N users"
-- column: user_principal_name text | empty: a spray targets many users (they are listed in details)
-- column: ip_address text | the spraying IP address
-- column: service_principal_id text | empty
-- column: first_seen time | first failure of the burst
-- column: last_seen time | last failure of the burst
-- column: events integer | failed sign-ins in the burst (bad password 50126, locked 50053, expired password 50055, no password 50056)
-- column: details text | users targeted, failures per error code, and the users who then succeeded
-- column: evidence list | the burst's failures and the successes that escalated it
-- reference: https://attack.mitre.org/techniques/T1110/003/
-- reference: https://learn.microsoft.com/security/operations/incident-response-playbook-password-spray
WITH fails AS (
    SELECT signin_key, created_at, ip_address, lower(user_principal_name) AS usr, error_code
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code IN (50126, 50053, 50055, 50056)
      AND ip_address IS NOT NULL AND user_principal_name IS NOT NULL
),
-- Every failure opens a window; keep the windows that reach the threshold.
hits AS (
    SELECT DISTINCT ip_address, t FROM (
        SELECT ip_address, created_at AS t,
            count(DISTINCT usr) OVER (PARTITION BY ip_address ORDER BY created_at
                RANGE BETWEEN CURRENT ROW AND to_seconds($window) FOLLOWING) AS users
        FROM fails)
    WHERE users >= $min_users
),
-- Windows that overlap belong to one burst.
bursts AS (
    SELECT ip_address, t,
        sum(CASE WHEN prev IS NULL OR t > prev + to_seconds($window) THEN 1 ELSE 0 END)
            OVER (PARTITION BY ip_address ORDER BY t ROWS UNBOUNDED PRECEDING) AS burst
    FROM (SELECT ip_address, t, lag(t) OVER (PARTITION BY ip_address ORDER BY t) AS prev FROM hits)
),
spans AS (
    SELECT ip_address, burst, min(t) AS span_start, max(t) + to_seconds($window) AS span_end
    FROM bursts GROUP BY ip_address, burst
),
burst_fails AS (
    SELECT s.burst, f.*
    FROM spans s JOIN fails f ON f.ip_address = s.ip_address AND f.created_at BETWEEN s.span_start AND s.span_end
),
agg AS (
    SELECT ip_address, burst,
        min(created_at) AS first_seen, max(created_at) AS last_seen, count(*) AS events,
        count(DISTINCT usr) AS users,
        list(DISTINCT usr ORDER BY usr) AS user_list,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM burst_fails GROUP BY ip_address, burst
),
codes AS (
    SELECT ip_address, burst, string_agg(error_code || ': ' || n, ', ' ORDER BY error_code) AS per_code
    FROM (SELECT ip_address, burst, error_code, count(*) AS n FROM burst_fails GROUP BY ALL)
    GROUP BY ip_address, burst
),
wins AS (
    SELECT a.ip_address, a.burst,
        list(DISTINCT s.usr ORDER BY s.usr) AS winners,
        list(s.signin_key ORDER BY s.created_at, s.signin_key) AS keys
    FROM agg a
    JOIN (SELECT signin_key, created_at, ip_address, lower(user_principal_name) AS usr
          FROM scoped($since, $until, $app, $user, $ip, $log_types) WHERE error_code = 0) s
      ON s.ip_address = a.ip_address AND s.created_at > a.first_seen
     AND s.created_at <= a.last_seen + to_seconds($window) AND list_contains(a.user_list, s.usr)
    GROUP BY a.ip_address, a.burst
)
SELECT
    CASE WHEN w.winners IS NULL THEN 'medium' ELSE 'high' END AS severity,
    'Password spray against ' || a.users || ' users' AS title,
    '' AS user_principal_name,
    a.ip_address,
    '' AS service_principal_id,
    a.first_seen,
    a.last_seen,
    a.events,
    a.users || ' users failed ' || a.events || ' times (' || c.per_code || '): '
        || array_to_string(a.user_list, ', ')
        || CASE WHEN w.winners IS NULL THEN ''
           ELSE '; then signed in successfully from this address: ' || array_to_string(w.winners, ', ') END AS details,
    list_concat(a.keys, coalesce(w.keys, [])) AS evidence
FROM agg a
JOIN codes c USING (ip_address, burst)
LEFT JOIN wins w USING (ip_address, burst)
ORDER BY first_seen, ip_address
