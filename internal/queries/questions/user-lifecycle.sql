-- id: user-lifecycle
-- kind: query
-- title: Users created, deleted, restored, invited, disabled
-- question: Which user accounts were created, deleted, restored, invited as guests, disabled or enabled, and by whom?
-- window: all
-- mirrors: Entra admin center > Users > Audit logs, category UserManagement
-- requires: activity
-- log-types: audit
-- param: activities text "Add user,Delete user,Hard delete user,Restore user,Invite external user,Disable account,Enable account" | the activity display names counted as lifecycle events, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: user text | the account (target UPN, else display name or id)
-- column: initiator text | who did it
-- column: initiator_ip text | address the initiator acted from
-- column: audit_id text | the audit record's id
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
WITH e AS (
    SELECT * FROM audit_scoped($since, $until, $user, $ip)
    WHERE list_contains(activity_list($activities), activity_key(activity))
)
SELECT
    e.activity_at,
    e.activity,
    e.result,
    (SELECT coalesce(nullif(t.user_principal_name, ''), nullif(t.display_name, ''), t.id) FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) = 'user' ORDER BY t.target_index LIMIT 1) AS user,
    e.initiator,
    e.initiator_ip_address AS initiator_ip,
    e.id AS audit_id
FROM e
ORDER BY e.activity_at, e.audit_key
