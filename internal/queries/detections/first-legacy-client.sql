-- id: first-legacy-client
-- kind: detection
-- title: A user's first sign-in with a legacy client
-- question: Which users signed in successfully through a legacy authentication client (IMAP, POP, SMTP AUTH, ActiveSync, ...) in the judged period that they had not used once in the baseline?
-- window: all
-- severity: medium
-- mitre: T1078.004
-- anchor: Elastic new-terms rules ("first occurrence of ... for a user") applied to the client app, after the Microsoft Entra security operations guide (monitor legacy authentication); the client apps are the embedded list internal/reference/legacyclients.tsv, the baseline is --baseline
-- requires: client_app_used, user_principal_name
-- log-types: interactiveUser, nonInteractiveUser
-- param: min_baseline duration 7d | the shortest baseline that can tell a first use from a habit (an hour less still counts: exports start and end minutes inside their days): with less, the detection does not run and says it could not judge
-- column: severity text | medium: a password alone opened the account through a client this user had not used (no MFA, no Conditional Access grant controls)
-- column: title text | "First legacy client: <client app>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every such sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | the user's first successful sign-in through the client, in the judged period (after the baseline)
-- column: last_seen time | the last one
-- column: events integer | successful user sign-ins through the client, all after the baseline, with none through it in the baseline. Users without any successful sign-in in the baseline are left out: for them everything is a first
-- column: details text | the client and why it is legacy, the user's legacy clients in the baseline, and the baseline's length and dates
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
WITH s AS (
    SELECT s.signin_key, s.created_at, lower(s.user_principal_name) AS usr, s.ip_address, l.client_app, l.why
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    LEFT JOIN ref_legacy_clients l ON lower(s.client_app_used) = l.client_key
    WHERE s.error_code = 0 AND s.user_principal_name IS NOT NULL
        AND s.log_type IN ('interactiveUser', 'nonInteractiveUser')
),
baseline AS (
    SELECT usr, count(*) AS total,
        list(DISTINCT client_app ORDER BY client_app) FILTER (WHERE client_app IS NOT NULL) AS clients
    FROM s WHERE created_at <= $baseline_end GROUP BY usr
),
judged AS (
    SELECT usr, client_app, min(why) AS why, min(created_at) AS first_use, max(created_at) AS last_use, count(*) AS n,
        CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM s WHERE client_app IS NOT NULL AND created_at > $baseline_end GROUP BY usr, client_app
)
SELECT
    'medium' AS severity,
    'First legacy client: ' || j.client_app AS title,
    j.usr AS user_principal_name,
    j.ip_address,
    '' AS service_principal_id,
    j.first_use AS first_seen,
    j.last_use AS last_seen,
    j.n AS events,
    j.n || CASE WHEN j.n = 1 THEN ' successful sign-in' ELSE ' successful sign-ins' END || ' through ' || j.client_app
        || ' (' || j.why || ') from ' || strftime(j.first_use, '%Y-%m-%dT%H:%M:%SZ') || '; none through it in the baseline, '
        || round(epoch($baseline_end - $baseline_start) / 86400, 1) || ' days from '
        || strftime($baseline_start, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime($baseline_end, '%Y-%m-%dT%H:%M:%SZ')
        || ', in which the user signed in ' || b.total || CASE WHEN b.total = 1 THEN ' time' ELSE ' times' END
        || coalesce('; legacy clients in the baseline: ' || array_to_string(b.clients, ', '), '') AS details,
    j.keys AS evidence
FROM judged j JOIN baseline b USING (usr)
WHERE NOT list_contains(coalesce(b.clients, []), j.client_app)
    AND epoch($baseline_end - $baseline_start) + 3600 >= $min_baseline  -- the minimum holds under signinlens query too
ORDER BY first_seen, user_principal_name, title
