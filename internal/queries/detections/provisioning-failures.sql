-- id: provisioning-failures
-- kind: detection
-- title: Provisioning job failing
-- question: Did a provisioning job fail for a large share of its events, so that accounts in the target system are missing or stale?
-- window: all
-- severity: medium
-- mitre: T1531
-- anchor: Microsoft Entra provisioning health ("quarantine" after excessive failures) and the provisioning logs' error view; data-integrity check rather than an attack rule
-- requires: status
-- log-types: provisioning
-- param: min_failure_rate number 20 | percent of a job's events that must have failed
-- param: min_events integer 5 | a job with fewer events is not judged
-- column: severity text | medium
-- column: title text | "Provisioning job failing: <application>"
-- column: user_principal_name text | empty
-- column: ip_address text | empty
-- column: service_principal_id text | the provisioning application's service principal
-- column: first_seen time | the job's first event
-- column: last_seen time | its last event
-- column: events integer | the job's events
-- column: details text | failures of events, the rate and the most frequent error codes
-- column: evidence list | empty (no sign-in)
-- column: provisioning_evidence list | the failed events
-- reference: https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-quarantine-status
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-provisioning-logs
WITH p AS (
    SELECT * FROM provisioning_scoped($since, $until, $user)
),
jobs AS (
    SELECT coalesce(job_id, '') AS job, min(coalesce(nullif(service_principal_name, ''), nullif(target_system_name, ''), job_id)) AS app,
        min(coalesce(service_principal_id, '')) AS sp,
        count(*) AS events, count(*) FILTER (WHERE lower(status) = 'failure') AS failed,
        min(activity_at) AS first_seen, max(activity_at) AS last_seen,
        list(provisioning_key ORDER BY activity_at, provisioning_key) FILTER (WHERE lower(status) = 'failure') AS keys
    FROM p GROUP BY 1
),
codes AS (
    SELECT coalesce(job_id, '') AS job, string_agg(error_code || ' (' || n || ')', ', ' ORDER BY n DESC, error_code) AS top
    FROM (SELECT job_id, error_code, count(*) AS n FROM p WHERE lower(status) = 'failure' AND nullif(error_code, '') IS NOT NULL GROUP BY ALL)
    GROUP BY 1
)
SELECT
    'medium' AS severity,
    'Provisioning job failing: ' || coalesce(app, 'an application') AS title,
    '' AS user_principal_name,
    '' AS ip_address,
    sp AS service_principal_id,
    first_seen,
    last_seen,
    events,
    failed || ' of ' || events || ' events failed (' || round(100.0 * failed / events, 1) || '%) in job ' || job
        || coalesce('; errors: ' || c.top, '') AS details,
    []::BIGINT[] AS evidence,
    keys AS provisioning_evidence
FROM jobs LEFT JOIN codes c USING (job)
WHERE events >= $min_events AND 100.0 * failed / events >= $min_failure_rate
ORDER BY first_seen, service_principal_id, details
