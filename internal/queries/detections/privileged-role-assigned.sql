-- id: privileged-role-assigned
-- kind: detection
-- title: Privileged role assigned
-- question: Was a privileged directory role (Global Administrator, Privileged Role Administrator, Application Administrator, ...) given to someone, permanently or as eligible?
-- window: all
-- severity: high
-- mitre: T1098.003
-- anchor: Microsoft Sentinel "User added to Microsoft Entra ID Privileged Groups" and Sigma "User Added To Privilege Role" (audit log, Add member to role / Add eligible member)
-- requires: activity
-- log-types: audit
-- param: activities text "Add member to role,Add scoped member to role,Add eligible member to role,Add member to role in PIM completed (permanent),Add member to role in PIM completed (timebound),Add eligible member to role in PIM completed (permanent),Add eligible member to role in PIM completed (timebound)" | the activity display names that assign a role, comma-separated (compared ignoring case, dash style and spacing); PIM activations of an eligible assignment are left out
-- column: severity text | high for a permanent (active, not time-bound) assignment; medium for an eligible or time-bound one
-- column: title text | "Privileged role assigned: <role>"
-- column: user_principal_name text | the user given the role (lower case); empty for a service principal or group
-- column: ip_address text | the address the initiator acted from
-- column: service_principal_id text | the service principal given the role, when it is one
-- column: first_seen time | the assignment
-- column: last_seen time | the same
-- column: events integer | 1
-- column: details text | who assigned which role to whom, how, and why the role is privileged (internal/reference/privilegedroles.tsv)
-- column: evidence list | empty (no sign-in)
-- column: audit_evidence list | the assignment event
-- reference: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
-- reference: https://learn.microsoft.com/entra/architecture/security-operations-privileged-identity-management
WITH e AS (
    SELECT a.* FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
      AND coalesce(a.result, 'success') = 'success'
),
r AS (
    SELECT e.*,
        coalesce(
            (SELECT coalesce(audit_text(m.new_value), audit_text(m.old_value)) FROM audit_modified_properties m
             WHERE m.audit_key = e.audit_key AND m.name = 'Role.DisplayName' ORDER BY m.target_index, m.property_index LIMIT 1),
            (SELECT t.display_name FROM audit_targets t
             WHERE t.audit_key = e.audit_key AND lower(t.type) = 'role' ORDER BY t.target_index LIMIT 1)) AS role,
        lower(coalesce(
            (SELECT audit_text(m.new_value) FROM audit_modified_properties m
             WHERE m.audit_key = e.audit_key AND m.name = 'Role.TemplateId' ORDER BY m.target_index, m.property_index LIMIT 1),
            (SELECT t.id FROM audit_targets t
             WHERE t.audit_key = e.audit_key AND lower(t.type) = 'role' ORDER BY t.target_index LIMIT 1))) AS template_id,
        (SELECT t FROM audit_targets t
         WHERE t.audit_key = e.audit_key AND lower(t.type) IN ('user', 'serviceprincipal', 'group')
         ORDER BY t.target_index LIMIT 1) AS member,
        CASE
            WHEN activity_key(e.activity) LIKE '%eligible%' THEN 'eligible'
            WHEN activity_key(e.activity) LIKE '%timebound%' THEN 'time-bound'
            ELSE 'permanent'
        END AS how
    FROM e
),
hit AS (
    SELECT r.*, p.name AS listed, p.why
    FROM r JOIN ref_privileged_roles p ON p.name_key = lower(r.role) OR p.template_id = r.template_id
    QUALIFY row_number() OVER (PARTITION BY r.audit_key ORDER BY p.name_key = lower(r.role) DESC, p.name) = 1
)
SELECT
    CASE WHEN how = 'permanent' THEN 'high' ELSE 'medium' END AS severity,
    'Privileged role assigned: ' || coalesce(role, listed) AS title,
    CASE WHEN lower(member.type) = 'user' THEN coalesce(lower(member.user_principal_name), '') ELSE '' END AS user_principal_name,
    coalesce(initiator_ip_address, '') AS ip_address,
    CASE WHEN lower(member.type) = 'serviceprincipal' THEN coalesce(member.id, '') ELSE '' END AS service_principal_id,
    activity_at AS first_seen,
    activity_at AS last_seen,
    1::BIGINT AS events,
    coalesce(initiator, 'an unnamed initiator') || ' assigned ' || coalesce(role, listed) || ' (' || how || ', ' || activity || ') to '
        || coalesce(lower(member.type) || ' ' || coalesce(nullif(member.user_principal_name, ''), nullif(member.display_name, ''), member.id), 'an unnamed member')
        || coalesce(' from ' || initiator_ip_address, '') || '; the role ' || why AS details,
    []::BIGINT[] AS evidence,
    [audit_key] AS audit_evidence
FROM hit
ORDER BY first_seen, user_principal_name, details
