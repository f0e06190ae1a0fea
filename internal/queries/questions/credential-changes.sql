-- id: credential-changes
-- kind: query
-- title: Application credential changes
-- question: Which secrets, certificates and federated credentials were added to or removed from applications and service principals, and by whom?
-- window: all
-- mirrors: Entra admin center > App registrations > Certificates & secrets; Audit logs, category ApplicationManagement
-- requires: activity
-- log-types: audit
-- param: activities text "Update application – Certificates and secrets management,Add service principal credentials,Remove service principal credentials" | the activity display names counted as credential changes, comma-separated (compared ignoring case, dash style and spacing); events of other activities count too when they change the KeyDescription or FederatedIdentityCredentials property
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: initiator text | who changed the credential
-- column: initiator_ip text | address the initiator acted from
-- column: application text | the application or service principal changed
-- column: target_type text | Application or ServicePrincipal
-- column: credential_added text | the credentials after the change that were not there before, as exported (KeyDescription, FederatedIdentityCredentials)
-- column: credential_removed text | the credentials before the change that are gone after it
-- column: audit_id text | the audit record's id
-- summary: rank=24 | {{if not rows}}Application credentials: no changes in {{window}}{{else}}Application credentials: {{plural (len rows) "change" "changes"}} to {{plural (distinct "application") "application" "applications"}} in {{window}}{{with $r := first}}; first by {{text $r.initiator}} to {{text $r.application}}{{end}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/enterprise-apps/certificate-signing-options
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
WITH vals AS (
    -- A KeyDescription value lists credentials as [KeyIdentifier=..., KeyType=..., KeyUsage=...,
    -- DisplayName=...]; each is one credential. Other values count as one credential each.
    SELECT m.audit_key, m.target_index, m.property_index,
        CASE WHEN m.old_value LIKE '%[KeyIdentifier=%' THEN regexp_extract_all(m.old_value, '\[KeyIdentifier=[^\]]*\]')
             ELSE list_filter([audit_text(m.old_value)], x -> x IS NOT NULL) END AS old_l,
        CASE WHEN m.new_value LIKE '%[KeyIdentifier=%' THEN regexp_extract_all(m.new_value, '\[KeyIdentifier=[^\]]*\]')
             ELSE list_filter([audit_text(m.new_value)], x -> x IS NOT NULL) END AS new_l
    FROM audit_modified_properties m
    WHERE m.name IN ('KeyDescription', 'FederatedIdentityCredentials')
),
cred AS (
    SELECT audit_key,
        flatten(list(list_filter(new_l, x -> NOT list_contains(old_l, x)) ORDER BY target_index, property_index)) AS added,
        flatten(list(list_filter(old_l, x -> NOT list_contains(new_l, x)) ORDER BY target_index, property_index)) AS removed
    FROM vals GROUP BY audit_key
),
e AS (
    SELECT a.* FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
       OR a.audit_key IN (SELECT audit_key FROM cred)
)
SELECT
    e.activity_at,
    e.activity,
    e.result,
    e.initiator,
    e.initiator_ip_address AS initiator_ip,
    (SELECT coalesce(nullif(t.display_name, ''), t.id) FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) IN ('application', 'serviceprincipal')
     ORDER BY t.target_index LIMIT 1) AS application,
    (SELECT t.type FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) IN ('application', 'serviceprincipal')
     ORDER BY t.target_index LIMIT 1) AS target_type,
    nullif(array_to_string(c.added, '; '), '') AS credential_added,
    nullif(array_to_string(c.removed, '; '), '') AS credential_removed,
    e.id AS audit_id
FROM e LEFT JOIN cred c ON c.audit_key = e.audit_key
ORDER BY e.activity_at, e.audit_key
