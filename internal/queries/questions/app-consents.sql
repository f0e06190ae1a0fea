-- id: app-consents
-- kind: query
-- title: Application consents and permission grants
-- question: Which applications were given consent or permissions (delegated scopes, application roles), by whom, for one user or the whole tenant?
-- window: all
-- mirrors: Entra admin center > Enterprise applications > Permissions; Audit logs, category ApplicationManagement
-- requires: activity
-- log-types: audit
-- param: activities text "Consent to application,Add delegated permission grant,Remove delegated permission grant,Add app role assignment to service principal,Remove app role assignment from service principal,Add app role assignment grant to user" | the activity display names counted as consents and grants, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: initiator text | who consented or granted
-- column: initiator_ip text | address the initiator acted from
-- column: application text | the service principal (application) the event names first
-- column: permissions text | scopes and application roles granted, space-separated (DelegatedPermissionGrant.Scope, AppRole.Value, the Scope: of ConsentAction.Permissions)
-- column: tenant_wide boolean | true for consent on behalf of all users (ConsentContext.OnBehalfOfAll, ConsentType AllPrincipals) and for application permissions (app role assignments to a service principal), which act without a user
-- column: admin_consent boolean | true when ConsentContext.IsAdminConsent says so
-- column: audit_id text | the audit record's id
-- summary: rank=23 | {{if not rows}}Consents and grants: none in {{window}}{{else}}Consents and grants: {{plural (len rows) "event" "events"}} for {{plural (distinct "application") "application" "applications"}} in {{window}}{{with $r := first}}; first {{text $r.initiator}} {{text $r.activity}} {{text $r.application}}{{with $r.permissions}} ({{text .}}){{end}}{{end}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/enterprise-apps/manage-application-permissions
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
WITH e AS (
    SELECT * FROM audit_scoped($since, $until, $user, $ip)
    WHERE list_contains(activity_list($activities), activity_key(activity))
),
props AS (
    SELECT m.audit_key,
        string_agg(DISTINCT CASE
            WHEN m.name IN ('DelegatedPermissionGrant.Scope', 'AppRole.Value') THEN trim(audit_text(m.new_value))
            WHEN m.name = 'ConsentAction.Permissions' THEN trim(regexp_extract(m.new_value, 'Scope: ([^,\]]*)', 1))
        END, ' ') AS permissions,
        bool_or((m.name = 'ConsentContext.OnBehalfOfAll' AND lower(audit_text(m.new_value)) = 'true')
            OR (m.name = 'DelegatedPermissionGrant.ConsentType' AND lower(audit_text(m.new_value)) = 'allprincipals')
            OR (m.name = 'ConsentAction.Permissions' AND m.new_value ILIKE '%ConsentType: AllPrincipals%')) AS all_users,
        bool_or(m.name = 'ConsentContext.IsAdminConsent' AND lower(audit_text(m.new_value)) = 'true') AS admin_consent
    FROM audit_modified_properties m
    WHERE m.audit_key IN (SELECT audit_key FROM e)
    GROUP BY m.audit_key
)
SELECT
    e.activity_at,
    e.activity,
    e.result,
    e.initiator,
    e.initiator_ip_address AS initiator_ip,
    (SELECT coalesce(nullif(t.display_name, ''), t.id) FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) IN ('serviceprincipal', 'application')
     ORDER BY t.target_index LIMIT 1) AS application,
    nullif(trim(regexp_replace(coalesce(p.permissions, ''), '\s+', ' ', 'g')), '') AS permissions,
    coalesce(p.all_users, false) OR activity_key(e.activity) = 'add app role assignment to service principal' AS tenant_wide,
    coalesce(p.admin_consent, false) AS admin_consent,
    e.id AS audit_id
FROM e LEFT JOIN props p ON p.audit_key = e.audit_key
ORDER BY e.activity_at, e.audit_key
