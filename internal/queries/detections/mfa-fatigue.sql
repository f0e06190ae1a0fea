-- id: mfa-fatigue
-- kind: detection
-- title: MFA fatigue
-- question: Was one user bombarded with MFA prompts that were denied or went unanswered, and did one finally succeed?
-- window: all
-- severity: medium
-- mitre: T1621
-- anchor: Microsoft Sentinel "MFA Spamming followed by Successful login" and "MFA Rejected by User" (ResultType 500121)
-- requires: error_code, user_principal_name
-- log-types: all
-- param: min_denials integer 5 | failed MFA attempts (500121) of one user that must fall within one window
-- param: window duration 30m | length of the sliding window; overlapping windows that reach the threshold merge into one burst
-- column: severity text | medium; high when the user then signs in successfully (after the first denial, at most one window after the last): the prompt was finally approved
-- column: title text | "MFA fatigue: N denied or unanswered prompts"
-- column: user_principal_name text | the targeted user (lower case)
-- column: ip_address text | the address the sign-ins came from when it was one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first failed MFA attempt of the burst
-- column: last_seen time | last failed MFA attempt of the burst
-- column: events integer | failed MFA attempts in the burst. Only 500121 counts (MFA denied, not answered in time, wrong code, or reported as fraud); 50074 and 50076 only say that MFA was required, which every MFA sign-in logs, and 50158 is a third-party control, so they do not count
-- column: details text | attempts, source addresses and the success that followed
-- column: evidence list | the failed MFA attempts and the successes that escalated the finding
-- reference: https://attack.mitre.org/techniques/T1621/
-- reference: https://learn.microsoft.com/entra/identity/authentication/howto-mfa-mfasettings#report-suspicious-activity
WITH fails AS (
    SELECT signin_key, created_at, ip_address, lower(user_principal_name) AS usr
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 500121 AND user_principal_name IS NOT NULL
),
-- Every denial opens a window; keep the windows that reach the threshold.
hits AS (
    SELECT DISTINCT usr, t FROM (
        SELECT usr, created_at AS t,
            count(*) OVER (PARTITION BY usr ORDER BY created_at
                RANGE BETWEEN CURRENT ROW AND to_seconds($window) FOLLOWING) AS n
        FROM fails)
    WHERE n >= $min_denials
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
agg AS (
    SELECT s.usr, s.burst,
        min(f.created_at) AS first_seen, max(f.created_at) AS last_seen, count(*) AS events,
        count(DISTINCT f.ip_address) AS ips,
        CASE WHEN count(DISTINCT f.ip_address) = 1 THEN min(f.ip_address) ELSE '' END AS ip_address,
        list(f.signin_key ORDER BY f.created_at, f.signin_key) AS keys
    FROM spans s JOIN fails f ON f.usr = s.usr AND f.created_at BETWEEN s.span_start AND s.span_end
    GROUP BY s.usr, s.burst
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
    'MFA fatigue: ' || a.events || ' denied or unanswered prompts' AS title,
    a.usr AS user_principal_name,
    a.ip_address,
    '' AS service_principal_id,
    a.first_seen,
    a.last_seen,
    a.events,
    a.events || ' failed MFA attempts (500121) from ' || a.ips
        || CASE WHEN a.ips = 1 THEN ' IP address' ELSE ' IP addresses' END
        || CASE WHEN w.keys IS NULL THEN ''
           ELSE '; then signed in successfully at ' || strftime(w.won_at, '%Y-%m-%dT%H:%M:%SZ')
                || ' from ' || array_to_string(w.won_from, ', ') END AS details,
    list_concat(a.keys, coalesce(w.keys, [])) AS evidence
FROM agg a
LEFT JOIN wins w USING (usr, burst)
ORDER BY first_seen, user_principal_name
