-- id: first-ropc
-- kind: detection
-- title: A user's first ROPC sign-in
-- question: Which users signed in successfully with the resource-owner password credentials flow in the judged period without having done so once in the baseline, as a stolen password replayed by a script does?
-- window: all
-- severity: medium
-- mitre: T1078.004
-- anchor: Elastic new-terms rules ("first occurrence of ... for a user") applied to the ROPC flow, after Elastic "Entra ID ROPC Authentication with Unknown Client ID"; ROPC includes basic authentication converted to it (user agent BAV2ROPC); the baseline is --baseline
-- requires: authentication_protocol, user_principal_name
-- log-types: all
-- param: min_baseline duration 7d | the shortest baseline that can tell a first use from a habit (an hour less still counts: exports start and end minutes inside their days): with less, the detection does not run and says it could not judge
-- column: severity text | medium: a password alone opened the account with a flow this user had not used; a newly scripted mailbox or a device setup does this too
-- column: title text | "First ROPC sign-in"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every such sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | the user's first successful ROPC sign-in, in the judged period (after the baseline)
-- column: last_seen time | the last one
-- column: events integer | successful sign-ins of the user with authentication protocol ropc or a user agent containing BAV2ROPC, all after the baseline, with none in it. Users without any successful sign-in in the baseline are left out: for them everything is a first
-- column: details text | the applications and user agents, and the baseline's length and dates
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
WITH s AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address, app_display_name, user_agent,
        lower(authentication_protocol) = 'ropc' OR user_agent ILIKE '%bav2ropc%' AS flow
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 0 AND user_principal_name IS NOT NULL
),
baseline AS (
    SELECT usr, count(*) AS total, count(*) FILTER (WHERE flow) AS uses
    FROM s WHERE created_at <= $baseline_end GROUP BY usr
),
judged AS (
    SELECT usr, min(created_at) AS first_use, max(created_at) AS last_use, count(*) AS n,
        CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
        list(DISTINCT app_display_name ORDER BY app_display_name) FILTER (WHERE app_display_name IS NOT NULL) AS apps,
        list(DISTINCT user_agent ORDER BY user_agent) FILTER (WHERE nullif(user_agent, '') IS NOT NULL) AS agents,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM s WHERE flow AND created_at > $baseline_end GROUP BY usr
)
SELECT
    'medium' AS severity,
    'First ROPC sign-in' AS title,
    j.usr AS user_principal_name,
    j.ip_address,
    '' AS service_principal_id,
    j.first_use AS first_seen,
    j.last_use AS last_seen,
    j.n AS events,
    j.n || CASE WHEN j.n = 1 THEN ' successful password-only (ROPC) sign-in' ELSE ' successful password-only (ROPC) sign-ins' END
        || coalesce(' to ' || array_to_string(j.apps, ', '), '')
        || coalesce(' with user agent ' || array_to_string(j.agents[1:3], ' | '), '')
        || ' from ' || strftime(j.first_use, '%Y-%m-%dT%H:%M:%SZ') || '; none in the baseline, '
        || round(epoch($baseline_end - $baseline_start) / 86400, 1) || ' days from '
        || strftime($baseline_start, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime($baseline_end, '%Y-%m-%dT%H:%M:%SZ')
        || ', in which the user signed in ' || b.total || CASE WHEN b.total = 1 THEN ' time' ELSE ' times' END AS details,
    j.keys AS evidence
FROM judged j JOIN baseline b USING (usr)
WHERE b.uses = 0
    AND epoch($baseline_end - $baseline_start) + 3600 >= $min_baseline  -- the minimum holds under signinlens query too
ORDER BY first_seen, user_principal_name
