-- id: time-gap
-- kind: detection
-- title: Gap in interactive sign-ins
-- question: Is there a stretch of hours without any interactive sign-in inside otherwise continuous traffic, a sign of a collection or export gap?
-- window: all
-- severity: medium
-- anchor: data-quality check (no SIEM rule): like a Sentinel "data connector health" check on SigninLogs, but on the export itself
-- requires: log_type
-- log-types: interactiveUser
-- param: gap duration 6h | report stretches longer than this without an interactive sign-in
-- param: min_coverage number 0.9 | traffic counts as continuous when at least this share of the clock hours between the first and last interactive sign-in (not counting the hours inside such gaps) hold one; a tenant that is quiet every night does not qualify and gets no finding
-- column: severity text | medium: sign-ins inside the gap cannot be examined
-- column: title text | "Gap in interactive sign-ins: N h M min"
-- column: user_principal_name text | empty
-- column: ip_address text | empty
-- column: service_principal_id text | empty
-- column: first_seen time | the last interactive sign-in before the gap
-- column: last_seen time | the first one after it
-- column: events integer | 2: the sign-ins on either side of the gap
-- column: details text | the gap and the coverage of the other hours. --user, --app and --ip are ignored
-- column: evidence list | the sign-ins on either side of the gap
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/howto-analyze-activity-logs-log-analytics
WITH s AS (
    SELECT signin_key, created_at FROM scoped($since, $until, NULL, NULL, NULL, $log_types)
    WHERE log_type = 'interactiveUser'
),
steps AS (
    SELECT lag(signin_key) OVER w AS prev_key, lag(created_at) OVER w AS prev_at, signin_key, created_at
    FROM s WINDOW w AS (ORDER BY created_at, signin_key)
),
gaps AS (
    SELECT * FROM steps WHERE prev_at IS NOT NULL AND created_at - prev_at > to_seconds($gap)
),
-- Clock hours from the first to the last sign-in, hours holding one, and the empty hours
-- strictly inside the gaps (left out of the share).
hours AS (
    SELECT count(DISTINCT date_trunc('hour', created_at)) AS active,
        epoch(date_trunc('hour', max(created_at)) - date_trunc('hour', min(created_at))) / 3600 + 1 AS total
    FROM s
),
inside AS (
    SELECT coalesce(sum(epoch(date_trunc('hour', created_at) - date_trunc('hour', prev_at)) / 3600 - 1), 0) AS empty
    FROM gaps
),
coverage AS (
    SELECT active / (total - empty) AS share FROM hours, inside
)
SELECT
    'medium' AS severity,
    'Gap in interactive sign-ins: ' || (epoch(created_at - prev_at)::BIGINT // 3600) || ' h '
        || ((epoch(created_at - prev_at)::BIGINT % 3600) // 60) || ' min' AS title,
    '' AS user_principal_name,
    '' AS ip_address,
    '' AS service_principal_id,
    prev_at AS first_seen,
    created_at AS last_seen,
    2::BIGINT AS events,
    'no interactive sign-in between ' || strftime(prev_at, '%Y-%m-%dT%H:%M:%SZ') || ' and '
        || strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') || ', while ' || round(share * 100)::BIGINT
        || '% of the other clock hours hold one: sign-ins may be missing from the export' AS details,
    [prev_key, signin_key] AS evidence
FROM gaps, coverage
WHERE share >= $min_coverage
ORDER BY first_seen
