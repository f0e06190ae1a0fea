-- id: accounts
-- kind: query
-- title: Accounts to look at first
-- question: Which users and workload identities have findings, and which should an analyst look at first?
-- window: all
-- after: detections
-- requires: user_principal_name, ip_address
-- log-types: all
-- param: weight_high integer 10 | points for each high finding about the account
-- param: weight_medium integer 4 | points for each medium finding
-- param: weight_low integer 1 | points for each low finding
-- param: per_detection integer 2 | points for each distinct detection among the account's findings (several kinds of trouble weigh more than one repeated)
-- param: success_after_failures integer 5 | points when the account's evidence holds a successful sign-in after a failed one from the same IP address
-- param: persistence integer 20 | points when a finding of a persistence detection names the account
-- param: persistence_detections text compromise-then-persistence,device-code-then-device-registration | detections whose findings mean the intruder made a lasting change (comma-separated ids)
-- param: data_checks text export-truncated,missing-log-type,time-gap | detections about the export itself, never counted against an account (comma-separated ids)
-- column: account text | the user (UPN, lower case) or the workload identity (service principal name, else its id)
-- column: kind text | user or workload (service principal or managed identity)
-- column: account_id text | the user's object id, or the service principal's id
-- column: score integer | weight_high x high + weight_medium x medium + weight_low x low + per_detection x distinct detections + success_after_failures (when true) + persistence (when true); defaults 10, 4, 1, 2, 5, 20
-- column: findings integer | findings about the account
-- column: high integer | high findings
-- column: medium integer | medium findings
-- column: low integer | low findings
-- column: detections list | the detections that found something, by id
-- column: success_after_failures boolean | a successful sign-in of the account's evidence followed a failed one from the same IP address
-- column: persistence boolean | a finding of a persistence detection (persistence_detections) names the account
-- column: first_suspicious time | first_seen of the account's earliest finding (of a finding naming no account, its earliest evidence sign-in of this account)
-- column: last_suspicious time | last_seen of its latest finding (likewise)
-- column: ip_addresses list | the findings' IP addresses and those of the account's evidence sign-ins
-- column: asns list | autonomous system numbers of the account's evidence sign-ins
-- column: countries list | countries or regions of the account's evidence sign-ins
-- reference: https://learn.microsoft.com/security/operations/incident-response-playbook-compromised-malicious-app
WITH
-- A finding is about the user or service principal it names; a finding that names neither
-- (a password spray names its address) is about the identities of its evidence sign-ins.
-- Findings about the export itself (data_checks) are about no account.
f AS (
    SELECT * FROM findings
    WHERE NOT list_contains(list_transform(string_split($data_checks, ','), x -> trim(x)), detection)
),
ev AS (
    SELECT e.finding, s.signin_key, s.created_at, s.ip_address, s.autonomous_system_number AS asn, s.country, s.status,
        CASE WHEN coalesce(s.user_principal_name, '') <> '' THEN 'user' ELSE 'workload' END AS kind,
        CASE WHEN coalesce(s.user_principal_name, '') <> '' THEN lower(s.user_principal_name)
             ELSE coalesce(s.service_principal_id, '') END AS account
    FROM finding_evidence e
    JOIN scoped($since, $until, $app, $user, $ip, $log_types) s ON s.signin_key = e.signin_key
),
-- first_at and last_at: when the finding saw the account (for a finding about several
-- accounts, the account's own evidence sign-ins, not the finding's whole span)
about AS (
    SELECT finding, 'user' AS kind, lower(user_principal_name) AS account, first_seen AS first_at, last_seen AS last_at
    FROM f WHERE user_principal_name <> ''
    UNION
    SELECT finding, 'workload', service_principal_id, first_seen, last_seen
    FROM f WHERE user_principal_name = '' AND service_principal_id <> ''
    UNION
    SELECT ev.finding, ev.kind, ev.account, min(ev.created_at), max(ev.created_at) FROM ev JOIN f USING (finding)
    WHERE f.user_principal_name = '' AND f.service_principal_id = '' AND ev.account <> ''
    GROUP BY ev.finding, ev.kind, ev.account
),
-- the evidence sign-ins that are the account's own
own AS (
    SELECT a.kind, a.account, ev.* EXCLUDE (kind, account)
    FROM about a JOIN ev ON ev.finding = a.finding AND ev.kind = a.kind AND ev.account = a.account
),
per AS (
    SELECT a.kind, a.account,
        count(*) AS findings,
        count(*) FILTER (WHERE f.severity = 'high') AS high,
        count(*) FILTER (WHERE f.severity = 'medium') AS medium,
        count(*) FILTER (WHERE f.severity = 'low') AS low,
        list(DISTINCT f.detection ORDER BY f.detection) AS detections,
        bool_or(list_contains(list_transform(string_split($persistence_detections, ','), x -> trim(x)), f.detection)) AS persistence,
        min(a.first_at) AS first_suspicious,
        max(a.last_at) AS last_suspicious,
        list(DISTINCT f.ip_address) FILTER (WHERE f.ip_address <> '') AS finding_ips
    FROM about a JOIN f USING (finding)
    GROUP BY a.kind, a.account
),
seen AS (
    SELECT kind, account,
        list(DISTINCT ip_address) FILTER (WHERE coalesce(ip_address, '') <> '') AS ips,
        list(DISTINCT asn ORDER BY asn) FILTER (WHERE asn IS NOT NULL) AS asns,
        list(DISTINCT country ORDER BY country) FILTER (WHERE coalesce(country, '') <> '') AS countries
    FROM own GROUP BY kind, account
),
comeback AS (
    SELECT DISTINCT ok.kind, ok.account
    FROM own ok JOIN own bad ON bad.kind = ok.kind AND bad.account = ok.account
        AND bad.ip_address = ok.ip_address AND bad.created_at < ok.created_at
    WHERE ok.status = 'success' AND bad.status = 'failure'
),
names AS (
    SELECT 'user' AS kind, lower(user_principal_name) AS account, min(nullif(user_id, '')) AS account_id, NULL::VARCHAR AS name
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE coalesce(user_principal_name, '') <> '' AND lower(user_principal_name) IN (SELECT account FROM per WHERE kind = 'user')
    GROUP BY 2
    UNION ALL
    SELECT 'workload', service_principal_id, service_principal_id, min(nullif(service_principal_name, ''))
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE service_principal_id IN (SELECT account FROM per WHERE kind = 'workload')
    GROUP BY service_principal_id
)
SELECT
    coalesce(n.name, p.account) AS account,
    p.kind,
    coalesce(n.account_id, CASE WHEN p.kind = 'workload' THEN p.account ELSE '' END) AS account_id,
    ($weight_high * p.high + $weight_medium * p.medium + $weight_low * p.low
        + $per_detection * len(p.detections)
        + CASE WHEN c.account IS NOT NULL THEN $success_after_failures ELSE 0 END
        + CASE WHEN p.persistence THEN $persistence ELSE 0 END)::BIGINT AS score,
    p.findings,
    p.high,
    p.medium,
    p.low,
    p.detections,
    c.account IS NOT NULL AS success_after_failures,
    p.persistence,
    p.first_suspicious,
    p.last_suspicious,
    list_sort(list_distinct(list_concat(coalesce(p.finding_ips, []), coalesce(s.ips, [])))) AS ip_addresses,
    coalesce(s.asns, [])::BIGINT[] AS asns,
    coalesce(s.countries, [])::VARCHAR[] AS countries
FROM per p
LEFT JOIN seen s USING (kind, account)
LEFT JOIN comeback c USING (kind, account)
LEFT JOIN names n USING (kind, account)
ORDER BY score DESC, p.high DESC, p.first_suspicious, account, p.kind
