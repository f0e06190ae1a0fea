-- id: new-device
-- kind: detection
-- title: A user's first sign-in from a new device
-- question: Which users signed in successfully, in the judged period, from a device id or an unmanaged operating system and browser pair they never used in the baseline, with a token not bound to a device?
-- window: all
-- severity: low
-- mitre: T1078.004, T1550.004
-- anchor: Microsoft Sentinel UEBA "first time user connected from device" and Elastic new-terms rules on device per user; token binding per Microsoft's Token Protection (tokenProtectionStatusDetails.signInSessionStatus = bound); the baseline is --baseline
-- requires: operating_system, user_principal_name
-- log-types: interactiveUser, nonInteractiveUser
-- param: min_baseline duration 7d | the shortest baseline that can tell a new device from a habit (an hour less still counts: exports start and end minutes inside their days): with less, the detection does not run and says it could not judge
-- column: severity text | low: a lead for the account's timeline (new phones and browsers are common); an intruder replaying a stolen session or password shows up here too
-- column: title text | "New device for user: <device name or id>" for a registered device; "New unmanaged device for user: <operating system> / <browser>" otherwise
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every such sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first successful sign-in of the user from the device, in the judged period (after the baseline)
-- column: last_seen time | last one
-- column: events integer | successful user sign-ins from the device whose token is not bound to it (token protection status other than bound, or not exported). A device is its device id; without one, and neither managed nor compliant, the pair of operating system and browser family (version numbers dropped, compared case-insensitively). Users without such a sign-in in the baseline are left out
-- column: details text | the device, how many devices the user had in the baseline, and the baseline's length and dates
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
WITH s AS (
    -- Without extra (the largest column): the token binding is read for the judged sign-ins only.
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address,
        CASE
            WHEN nullif(device_id, '') IS NOT NULL THEN 'device ' || lower(device_id)
            WHEN coalesce(device_managed, false) OR coalesce(device_compliant, false) THEN NULL
            WHEN nullif(operating_system, '') IS NOT NULL AND nullif(browser, '') IS NOT NULL
                THEN 'pair ' || lower(replace(operating_system, ' ', '')) || ' / '
                    || lower(regexp_replace(browser, '\s*[0-9][0-9.]*\s*$', ''))
        END AS dev,
        device_id, device_name, operating_system, browser
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 0 AND user_principal_name IS NOT NULL
        AND log_type IN ('interactiveUser', 'nonInteractiveUser')
),
baseline AS (
    SELECT usr, list(DISTINCT dev) AS devs, count(DISTINCT dev) AS n
    FROM s WHERE dev IS NOT NULL AND created_at <= $baseline_end GROUP BY usr
),
candidates AS (
    SELECT j.* FROM s j JOIN baseline b USING (usr)
    WHERE j.dev IS NOT NULL AND j.created_at > $baseline_end AND NOT list_contains(b.devs, j.dev)
),
judged AS (
    SELECT j.*,
        CASE WHEN nullif(j.device_id, '') IS NOT NULL THEN coalesce(nullif(j.device_name, ''), j.device_id)
            ELSE j.operating_system || ' / ' || regexp_replace(j.browser, '\s*[0-9][0-9.]*\s*$', '') END AS label,
        nullif(j.device_id, '') IS NOT NULL AS registered,
        lower(coalesce(json_extract_string(x.extra, '$.tokenProtectionStatusDetails.signInSessionStatus'),
            json_extract_string(x.extra, '$."Token Protection - Sign In Session"'), '')) = 'bound' AS bound
    FROM candidates j JOIN signins x ON x.signin_key = j.signin_key
),
per_device AS (
    SELECT usr, dev, bool_or(registered) AS registered, min(label) AS label,
        min(created_at) AS first_use, max(created_at) AS last_use, count(*) AS n,
        CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM judged WHERE NOT bound GROUP BY usr, dev
)
SELECT
    'low' AS severity,
    CASE WHEN d.registered THEN 'New device for user: ' ELSE 'New unmanaged device for user: ' END || d.label AS title,
    d.usr AS user_principal_name,
    d.ip_address,
    '' AS service_principal_id,
    d.first_use AS first_seen,
    d.last_use AS last_seen,
    d.n AS events,
    d.n || CASE WHEN d.n = 1 THEN ' successful sign-in' ELSE ' successful sign-ins' END
        || CASE WHEN d.registered THEN ' from device ' || d.label || ' (' || substr(d.dev, 8) || ')'
            ELSE ' from ' || d.label || ' without a registered or managed device' END
        || ', token not bound to a device, from ' || strftime(d.first_use, '%Y-%m-%dT%H:%M:%SZ')
        || '; in the baseline, ' || round(epoch($baseline_end - $baseline_start) / 86400, 1) || ' days from '
        || strftime($baseline_start, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime($baseline_end, '%Y-%m-%dT%H:%M:%SZ')
        || ', the user signed in from ' || b.n || CASE WHEN b.n = 1 THEN ' other device' ELSE ' other devices' END AS details,
    d.keys AS evidence
FROM per_device d JOIN baseline b USING (usr)
WHERE epoch($baseline_end - $baseline_start) + 3600 >= $min_baseline  -- the minimum holds under signinlens query too
ORDER BY first_seen, user_principal_name, title
