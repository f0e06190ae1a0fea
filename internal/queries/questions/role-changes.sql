-- id: role-changes
-- kind: query
-- title: Role changes
-- question: Who gave or took which directory role to or from whom, permanently, as eligible (PIM) or by activation?
-- window: all
-- mirrors: Entra admin center > Audit logs, category RoleManagement; Privileged Identity Management > Audit history
-- requires: activity
-- log-types: audit
-- param: activities text "Add member to role,Remove member from role,Add scoped member to role,Remove scoped member from role,Add eligible member to role,Remove eligible member from role,Add member to role in PIM completed (permanent),Add member to role in PIM completed (timebound),Add eligible member to role in PIM completed (permanent),Add eligible member to role in PIM completed (timebound),Add member to role completed (PIM activation),Remove member from role in PIM completed (permanent),Remove eligible member from role in PIM completed (permanent)" | the activity display names counted as role changes, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: initiator text | who made the change (UPN, else app name)
-- column: initiator_ip text | address the initiator acted from
-- column: role text | role display name (Role.DisplayName, else the Role target)
-- column: member text | the user (UPN) or service principal given or losing the role
-- column: assignment text | removed, eligible, activation, timebound or permanent: read from the activity name
-- column: audit_id text | the audit record's id
-- summary: rank=21 | {{if not rows}}Role changes: none in {{window}}{{else}}Role changes: {{plural (len rows) "event" "events"}} in {{window}}{{with $r := first}}; first {{text $r.initiator}} {{text $r.activity}} {{text $r.role}} for {{text $r.member}}{{end}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
-- reference: https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-use-audit-log
WITH e AS (
    SELECT * FROM audit_scoped($since, $until, $user, $ip)
    WHERE list_contains(activity_list($activities), activity_key(activity))
)
SELECT
    e.activity_at,
    e.activity,
    e.result,
    e.initiator,
    e.initiator_ip_address AS initiator_ip,
    coalesce(
        (SELECT coalesce(audit_text(m.new_value), audit_text(m.old_value)) FROM audit_modified_properties m
         WHERE m.audit_key = e.audit_key AND m.name = 'Role.DisplayName' ORDER BY m.target_index, m.property_index LIMIT 1),
        (SELECT t.display_name FROM audit_targets t
         WHERE t.audit_key = e.audit_key AND lower(t.type) = 'role' ORDER BY t.target_index LIMIT 1)) AS role,
    (SELECT coalesce(nullif(t.user_principal_name, ''), nullif(t.display_name, ''), t.id) FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) IN ('user', 'serviceprincipal', 'group')
     ORDER BY t.target_index LIMIT 1) AS member,
    CASE
        WHEN activity_key(e.activity) LIKE 'remove%' THEN 'removed'
        WHEN activity_key(e.activity) LIKE '%eligible%' THEN 'eligible'
        WHEN activity_key(e.activity) LIKE '%activation%' THEN 'activation'
        WHEN activity_key(e.activity) LIKE '%timebound%' THEN 'timebound'
        ELSE 'permanent'
    END AS assignment,
    e.id AS audit_id
FROM e
ORDER BY e.activity_at, e.audit_key
