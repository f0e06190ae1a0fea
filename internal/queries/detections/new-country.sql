-- id: new-country
-- kind: detection
-- title: Sign-in from a new country
-- question: Did a user sign in successfully, in the judged period, from a country they had not signed in from in the baseline?
-- window: all
-- severity: medium
-- mitre: T1078.004
-- anchor: Microsoft Sentinel "Anomalous sign-in location by user account and authenticating application" and Elastic new-terms rules on source country per user (a country never seen for the user in the look-back); the baseline is --baseline
-- requires: country, user_principal_name
-- log-types: interactiveUser, nonInteractiveUser
-- param: min_baseline duration 7d | the shortest baseline that can tell a new country from a habit (an hour less still counts: exports start and end minutes inside their days): with less, the detection does not run and says it could not judge
-- column: severity text | medium
-- column: title text | "Sign-in from a new country: <country>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every sign-in from the new country came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first successful sign-in from the new country, in the judged period (after the baseline)
-- column: last_seen time | last one
-- column: events integer | successful sign-ins of the user from the new country, all after the baseline. Users without any successful sign-in in the baseline are left out: for them every country is new
-- column: details text | the new country, the user's baseline countries, and the baseline's length and dates
-- column: evidence list | those sign-ins
-- reference: https://attack.mitre.org/techniques/T1078/004/
WITH s AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address,
        upper(country) AS cc, city
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 0 AND user_principal_name IS NOT NULL AND nullif(country, '') IS NOT NULL
      AND log_type IN ('interactiveUser', 'nonInteractiveUser')
),
-- Each user's countries: when first used, and how often in the baseline.
pairs AS (
    SELECT usr, cc, min(created_at) AS first_use, count(*) FILTER (WHERE created_at <= $baseline_end) AS k
    FROM s GROUP BY usr, cc
),
baseline AS (
    SELECT usr, string_agg(cc || ' (' || k || ')', ', ' ORDER BY k DESC, cc) AS countries
    FROM pairs WHERE k > 0 GROUP BY usr
),
-- The details and evidence are gathered for the countries first used after the baseline only.
per_country AS (
    SELECT s.usr, s.cc, min(s.created_at) AS first_use, max(s.created_at) AS last_use, count(*) AS n,
        CASE WHEN count(DISTINCT s.ip_address) = 1 THEN min(s.ip_address) ELSE '' END AS ip_address,
        list(DISTINCT s.city ORDER BY s.city) FILTER (WHERE nullif(s.city, '') IS NOT NULL) AS cities,
        list(s.signin_key ORDER BY s.created_at, s.signin_key) AS keys
    FROM s SEMI JOIN pairs p ON p.usr = s.usr AND p.cc = s.cc AND p.first_use > $baseline_end
    GROUP BY s.usr, s.cc
)
SELECT
    'medium' AS severity,
    'Sign-in from a new country: ' || c.cc AS title,
    c.usr AS user_principal_name,
    c.ip_address,
    '' AS service_principal_id,
    c.first_use AS first_seen,
    c.last_use AS last_seen,
    c.n AS events,
    c.n || CASE WHEN c.n = 1 THEN ' successful sign-in' ELSE ' successful sign-ins' END || ' from ' || c.cc
        || coalesce(' (' || array_to_string(c.cities, ', ') || ')', '')
        || ' from ' || strftime(c.first_use, '%Y-%m-%dT%H:%M:%SZ') || '; in the baseline, '
        || round(epoch($baseline_end - $baseline_start) / 86400, 1) || ' days from '
        || strftime($baseline_start, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime($baseline_end, '%Y-%m-%dT%H:%M:%SZ')
        || ', only from ' || b.countries AS details,
    c.keys AS evidence
FROM per_country c JOIN baseline b USING (usr)
WHERE c.first_use > $baseline_end
    AND epoch($baseline_end - $baseline_start) + 3600 >= $min_baseline  -- the minimum holds under signinlens query too
ORDER BY first_seen, user_principal_name, title
