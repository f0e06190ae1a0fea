-- id: security-info-changes
-- kind: query
-- title: Authentication method changes
-- question: Which security info (MFA methods, phone numbers, passkeys) was registered, changed or deleted, for whom, by the user or by someone else?
-- window: all
-- mirrors: Entra admin center > Audit logs, service Authentication Methods; Authentication methods > Activity
-- requires: activity
-- log-types: audit
-- param: activities text "User registered security info,User changed default security info,User deleted security info,User registered all required security info,Admin registered security info,Admin updated security info,Admin deleted security info" | the activity display names counted as method changes, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: user text | whose methods changed: the target user's UPN, else the initiator's
-- column: initiator text | who made the change
-- column: initiator_ip text | address the initiator acted from
-- column: by_other boolean | true when the initiator is not the user (compared by object id when both are exported, else by UPN): an administrator or someone else
-- column: detail text | the method, as the event's result reason says it ("User registered Mobile Phone SMS")
-- column: audit_id text | the audit record's id
-- summary: rank=22 | {{if not rows}}Authentication methods: no changes in {{window}}{{else}}Authentication methods: {{plural (len rows) "change" "changes"}} for {{plural (distinct "user") "user" "users"}} in {{window}}{{with $r := first}}; first {{text $r.activity}} for {{text $r.user}}{{end}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/authentication/howto-authentication-methods-activity
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
    result_reason AS detail,
    id AS audit_id
FROM e
ORDER BY activity_at, audit_key
