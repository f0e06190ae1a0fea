-- id: provisioning-activity
-- kind: query
-- title: Provisioning activity
-- question: What did the provisioning service do per application and action: how many events succeeded, failed or were skipped, and with which errors?
-- window: all
-- mirrors: Entra admin center > Enterprise applications > Provisioning logs
-- requires: action
-- log-types: provisioning
-- param: top_errors integer 3 | how many error codes to list per row, most frequent first
-- column: application text | the provisioning application (service principal name), else its target system
-- column: action text | create, update, delete, disable, stagedDelete, other
-- column: events integer | provisioning events
-- column: succeeded integer | status success
-- column: failed integer | status failure
-- column: skipped integer | status skipped
-- column: warnings integer | status warning
-- column: top_error_codes text | the most frequent error codes with their counts: "code (n), ..."
-- column: first_seen time | earliest event
-- column: last_seen time | latest event
-- summary: rank=26 | {{if rows}}Provisioning: {{plural (sum "events") "event" "events"}} in {{window}} ({{thousands (sum "failed")}} failed, {{thousands (sum "skipped")}} skipped) across {{plural (distinct "application") "application" "applications"}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-provisioning-logs
WITH p AS (
    SELECT coalesce(nullif(service_principal_name, ''), nullif(target_system_name, ''), '(unknown)') AS application,
        coalesce(nullif(action, ''), '(none)') AS action, lower(status) AS status, error_code, activity_at
    FROM provisioning_scoped($since, $until, $user)
),
codes AS (
    SELECT application, action, error_code, count(*) AS n
    FROM p WHERE nullif(error_code, '') IS NOT NULL
    GROUP BY ALL
),
ranked AS (
    SELECT application, action,
        string_agg(error_code || ' (' || n || ')', ', ' ORDER BY n DESC, error_code) FILTER (WHERE rk <= $top_errors) AS top_error_codes
    FROM (SELECT *, row_number() OVER (PARTITION BY application, action ORDER BY n DESC, error_code) AS rk FROM codes)
    GROUP BY ALL
)
SELECT
    p.application,
    p.action,
    count(*) AS events,
    count(*) FILTER (WHERE status = 'success') AS succeeded,
    count(*) FILTER (WHERE status = 'failure') AS failed,
    count(*) FILTER (WHERE status = 'skipped') AS skipped,
    count(*) FILTER (WHERE status = 'warning') AS warnings,
    min(r.top_error_codes) AS top_error_codes,
    min(p.activity_at) AS first_seen,
    max(p.activity_at) AS last_seen
FROM p LEFT JOIN ranked r ON r.application = p.application AND r.action = p.action
GROUP BY p.application, p.action
ORDER BY events DESC, p.application, p.action
