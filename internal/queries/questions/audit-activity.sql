-- id: audit-activity
-- kind: query
-- title: Audit activity
-- question: Which changes does the audit log record, by category and activity: how many, how many failed, by how many initiators, first and last?
-- window: all
-- mirrors: Entra admin center > Monitoring & health > Audit logs
-- requires: activity
-- log-types: audit
-- column: category text | audit category (UserManagement, RoleManagement, ApplicationManagement, Policy, Device, ...); "(none)" when not exported
-- column: activity text | activity display name, as exported
-- column: events integer | audit events of this activity
-- column: failed integer | those whose result is not success (failure, timeout)
-- column: initiators integer | distinct initiators (users by UPN, apps by name or id); events without one count none
-- column: first_seen time | earliest event
-- column: last_seen time | latest event
-- summary: rank=20 | {{if not rows}}No audit events in {{window}}{{else}}{{plural (sum "events") "audit event" "audit events"}} in {{window}} ({{plural (len rows) "activity" "activities"}}, {{thousands (sum "failed")}} failed){{with $r := first}}; most often {{text $r.activity}} ({{thousands $r.events}}){{end}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
SELECT
    coalesce(nullif(category, ''), '(none)') AS category,
    activity,
    count(*) AS events,
    count(*) FILTER (WHERE coalesce(result, '') NOT IN ('success', '')) AS failed,
    count(DISTINCT initiator) AS initiators,
    min(activity_at) AS first_seen,
    max(activity_at) AS last_seen
FROM audit_scoped($since, $until, $user, $ip)
GROUP BY 1, activity
ORDER BY events DESC, category, activity
