-- id: password-changes
-- kind: query
-- title: Password resets and changes
-- question: Whose password was reset or changed, by the user (self-service) or by someone else?
-- window: all
-- mirrors: Entra admin center > Password reset > Audit logs
-- requires: activity
-- log-types: audit
-- param: activities text "Reset password (by admin),Reset user password,Change user password,Change password (self-service),Reset password (self-service)" | the activity display names counted as password resets and changes, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: user text | whose password: the target user's UPN, else the initiator's
-- column: initiator text | who reset or changed it
-- column: initiator_ip text | address the initiator acted from
-- column: by_other boolean | true when the initiator is not the user (compared by object id when both are exported, else by UPN)
-- column: audit_id text | the audit record's id
-- reference: https://learn.microsoft.com/entra/identity/authentication/howto-sspr-reporting
WITH e AS (
    SELECT a.*,
        (SELECT coalesce(nullif(t.user_principal_name, ''), nullif(t.display_name, ''), t.id) FROM audit_targets t
         WHERE t.audit_key = a.audit_key AND lower(t.type) = 'user' ORDER BY t.target_index LIMIT 1) AS target_user,
        (SELECT nullif(t.id, '') FROM audit_targets t
         WHERE t.audit_key = a.audit_key AND lower(t.type) = 'user' ORDER BY t.target_index LIMIT 1) AS target_id
    FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
)
SELECT
    activity_at,
    activity,
    result,
    coalesce(target_user, initiator) AS user,
    initiator,
    initiator_ip_address AS initiator_ip,
    coalesce(CASE WHEN target_id IS NOT NULL AND nullif(initiator_user_id, '') IS NOT NULL THEN target_id <> initiator_user_id
        ELSE lower(initiator) <> lower(coalesce(target_user, initiator)) END, false) AS by_other,
    id AS audit_id
FROM e
ORDER BY activity_at, audit_key
