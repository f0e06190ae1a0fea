-- id: session-hijack
-- kind: detection
-- title: One session used from several networks
-- question: Was one sign-in session (or one token) used from two networks or countries within a short time, as a stolen session cookie or token replayed by an intruder is, beside the user's own use?
-- window: all
-- severity: high
-- mitre: T1550.004, T1539
-- anchor: Microsoft's guidance on token theft and adversary-in-the-middle session replay (Defender XDR "session cookie theft" hunting: one SessionId from several IP addresses/ASNs) and Microsoft-Analyzer-Suite's session analysis; the networks are internal/reference/hostingasn.tsv
-- requires: session_id, user_principal_name
-- log-types: interactiveUser, nonInteractiveUser
-- param: window duration 1h | two consecutive sign-ins of a session farther apart than this are not compared: a laptop carried home in the evening changes network legitimately
-- param: include_microsoft boolean false | compare sign-ins from Microsoft's network (AS8075) too, as a hosting network. Left out by default: Microsoft's own services, Windows 365 Cloud PCs and Azure Virtual Desktop carry users' sessions from it every day, so a change to or from it would mostly be noise
-- column: severity text | high when a change involves a cloud, hosting, VPN or anonymizer network, or a country from which the user had no successful sign-in before the session began; medium for a change of country (both known to the user); low for a change within one country to a network the user had no successful sign-in from before the session (neither on the hosting list), which is how home, office and mobile networks alternate too
-- column: title text | "Session used from several networks" (by session id) or "Token used from several networks" (by unique token identifier, for sign-ins without a session id)
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address the session changed to at its first suspicious change
-- column: service_principal_id text | empty
-- column: first_seen time | the sign-in before the first suspicious change
-- column: last_seen time | the sign-in after the last one
-- column: events integer | sign-ins on either side of a suspicious change. A change is two consecutive user sign-ins of one session (ordered by time) at most the window apart whose ASNs differ or whose countries differ. It is benign, and not reported, when both are in one country, neither network is on the hosting list, and both networks had given the user a successful sign-in before the session began (an office network and a mobile carrier); when the user has no successful sign-in before the session, one country and no hosting network suffice
-- column: details text | the session id, the number of suspicious changes and the first three: time, networks (with provider and kind when listed) and countries
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/devices/concept-tokens-microsoft-entra-id
-- reference: https://www.microsoft.com/en-us/security/blog/2022/11/16/token-tactics-how-to-prevent-detect-and-respond-to-cloud-token-theft/
WITH u AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, ip_address, error_code,
        autonomous_system_number AS asn, nullif(upper(country), '') AS cc, session_id, unique_token_id
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser') AND user_principal_name IS NOT NULL
),
s AS (
    SELECT *, nullif(session_id, '') IS NOT NULL AS by_session,
        coalesce(nullif(session_id, ''), unique_token_id) AS sess_id
    FROM u
    WHERE (nullif(session_id, '') IS NOT NULL OR nullif(unique_token_id, '') IS NOT NULL)
        AND (asn IS NOT NULL OR cc IS NOT NULL) AND (asn IS DISTINCT FROM 8075 OR $include_microsoft)
),
-- Only sessions seen from two networks or two countries can change network: the others
-- (nearly all) are left out before the window.
roaming AS (
    SELECT by_session, sess_id FROM s GROUP BY ALL
    HAVING min(asn) <> max(asn) OR min(cc) <> max(cc)
),
-- When each user first succeeded from each network and each country.
seen_asn AS (SELECT usr, asn, min(created_at) AS since FROM u WHERE error_code = 0 AND asn IS NOT NULL GROUP BY usr, asn),
seen_cc AS (SELECT usr, cc, min(created_at) AS since FROM u WHERE error_code = 0 AND cc IS NOT NULL GROUP BY usr, cc),
seen_any AS (SELECT usr, min(created_at) AS since FROM u WHERE error_code = 0 GROUP BY usr),
hosting AS (SELECT * FROM ref_hosting_asns WHERE asn <> 8075 OR $include_microsoft),
steps AS (
    SELECT s.*, CASE WHEN s.by_session THEN 'session ' ELSE 'token ' END || s.sess_id AS sess,
        min(created_at) OVER (PARTITION BY s.by_session, s.sess_id) AS began,
        lag(signin_key) OVER w AS prev_key, lag(created_at) OVER w AS prev_at, lag(asn) OVER w AS prev_asn,
        lag(cc) OVER w AS prev_cc
    FROM s SEMI JOIN roaming r ON r.by_session = s.by_session AND r.sess_id = s.sess_id
    WINDOW w AS (PARTITION BY s.by_session, s.sess_id ORDER BY created_at, signin_key)
),
changes AS (
    SELECT c.*,
        h1.provider AS prov, h1.kind AS kind, h0.provider AS prev_prov, h0.kind AS prev_kind,
        h1.asn IS NOT NULL OR h0.asn IS NOT NULL AS on_hosting,
        coalesce(a.since < c.began, false) AS history,
        coalesce(k1.since < c.began, false) AS asn_known,
        coalesce(k0.since < c.began, false) AS prev_asn_known,
        coalesce(a.since < c.began, false) AND c.cc IS NOT NULL AND NOT coalesce(n1.since < c.began, false) AS cc_new,
        coalesce(a.since < c.began, false) AND c.prev_cc IS NOT NULL AND NOT coalesce(n0.since < c.began, false) AS prev_cc_new
    FROM steps c
    LEFT JOIN hosting h1 ON h1.asn = c.asn
    LEFT JOIN hosting h0 ON h0.asn = c.prev_asn
    LEFT JOIN seen_any a ON a.usr = c.usr
    LEFT JOIN seen_asn k1 ON k1.usr = c.usr AND k1.asn = c.asn
    LEFT JOIN seen_asn k0 ON k0.usr = c.usr AND k0.asn = c.prev_asn
    LEFT JOIN seen_cc n1 ON n1.usr = c.usr AND n1.cc = c.cc
    LEFT JOIN seen_cc n0 ON n0.usr = c.usr AND n0.cc = c.prev_cc
    WHERE c.prev_at IS NOT NULL AND c.created_at - c.prev_at <= to_seconds($window)
        AND ((c.asn IS NOT NULL AND c.prev_asn IS NOT NULL AND c.asn <> c.prev_asn)
            OR (c.cc IS NOT NULL AND c.prev_cc IS NOT NULL AND c.cc <> c.prev_cc))
),
suspicious AS (
    SELECT *,
        on_hosting OR cc_new OR prev_cc_new AS grave,
        coalesce(cc <> prev_cc, false) AS abroad,
        strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') || ' '
            || coalesce('AS' || prev_asn, 'no ASN') || coalesce(' ' || prev_prov || ' [' || prev_kind || ']', '')
            || coalesce(' ' || prev_cc, '') || CASE WHEN prev_cc_new THEN ' (country new to the user)' ELSE '' END
            || ' -> ' || coalesce('AS' || asn, 'no ASN') || coalesce(' ' || prov || ' [' || kind || ']', '')
            || coalesce(' ' || cc, '') || CASE WHEN cc_new THEN ' (country new to the user)' ELSE '' END
            || ' after ' || (epoch(created_at - prev_at)::BIGINT // 60) || ' min' AS what
    FROM changes
    WHERE NOT (cc IS NOT NULL AND cc = prev_cc AND NOT on_hosting AND (NOT history OR (asn_known AND prev_asn_known)))
),
per_session AS (
    SELECT sess, min(usr) AS usr, bool_or(grave) AS grave, bool_or(abroad) AS abroad, count(*) AS n,
        arg_min(ip_address, created_at) AS ip_address,
        min(prev_at) AS first_at, max(created_at) AS last_at,
        list_sort(list_distinct(flatten([list(prev_key), list(signin_key)]))) AS keys,
        list(what ORDER BY created_at, signin_key) AS whats
    FROM suspicious GROUP BY sess
)
SELECT
    CASE WHEN grave THEN 'high' WHEN abroad THEN 'medium' ELSE 'low' END AS severity,
    CASE WHEN starts_with(sess, 'session ') THEN 'Session used from several networks' ELSE 'Token used from several networks' END AS title,
    usr AS user_principal_name,
    coalesce(ip_address, '') AS ip_address,
    '' AS service_principal_id,
    first_at AS first_seen,
    last_at AS last_seen,
    len(keys) AS events,
    sess || ': ' || n || CASE WHEN n = 1 THEN ' change' ELSE ' changes' END || ' of network within '
        || ($window // 60) || ' min: ' || array_to_string(whats[1:3], '; ')
        || CASE WHEN n > 3 THEN '; and ' || (n - 3) || ' more' ELSE '' END AS details,
    keys AS evidence
FROM per_session
ORDER BY first_seen, user_principal_name, details
