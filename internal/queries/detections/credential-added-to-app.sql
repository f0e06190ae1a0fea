-- id: credential-added-to-app
-- kind: detection
-- title: Credential added to an application
-- question: Did a user or an application add a secret, certificate or federated credential to an application or service principal?
-- window: all
-- severity: medium
-- mitre: T1098.001
-- anchor: Microsoft Sentinel "New access credential added to Application or Service Principal" and Elastic "Azure Application Credential Modification" (audit log)
-- requires: activity
-- log-types: audit
-- param: activities text "Update application – Certificates and secrets management,Add service principal credentials" | the activity display names that add credentials, comma-separated (compared ignoring case, dash style and spacing); an event of any activity counts too when its KeyDescription or FederatedIdentityCredentials property gains an entry
-- column: severity text | high when the export shows the application holding a high-privilege permission (internal/reference/highprivscopes.tsv) granted at or before the credential was added (a consent or grant event naming the same application by id or display name); medium otherwise
-- column: title text | "Credential added to <application>"
-- column: user_principal_name text | the user who added it (lower case); empty when an application did
-- column: ip_address text | the address the initiator acted from
-- column: service_principal_id text | the application or service principal changed (its object id)
-- column: first_seen time | the change
-- column: last_seen time | the same
-- column: events integer | 1
-- column: details text | who added which credential, and the high-privilege permissions the application held
-- column: evidence list | empty (no sign-in)
-- column: audit_evidence list | the credential event, then the grants that made the application high-privilege
-- reference: https://attack.mitre.org/techniques/T1098/001/
-- reference: https://learn.microsoft.com/entra/identity/enterprise-apps/certificate-signing-options
WITH vals AS (
    SELECT m.audit_key,
        CASE WHEN m.old_value LIKE '%[KeyIdentifier=%' THEN regexp_extract_all(m.old_value, '\[KeyIdentifier=[^\]]*\]')
             ELSE list_filter([audit_text(m.old_value)], x -> x IS NOT NULL) END AS old_l,
        CASE WHEN m.new_value LIKE '%[KeyIdentifier=%' THEN regexp_extract_all(m.new_value, '\[KeyIdentifier=[^\]]*\]')
             ELSE list_filter([audit_text(m.new_value)], x -> x IS NOT NULL) END AS new_l
    FROM audit_modified_properties m
    WHERE m.name IN ('KeyDescription', 'FederatedIdentityCredentials')
),
cred AS (
    SELECT audit_key, flatten(list(list_filter(new_l, x -> NOT list_contains(old_l, x)))) AS added, count(*) AS props
    FROM vals GROUP BY audit_key
),
e AS (
    SELECT a.*, c.added, coalesce(c.props, 0) AS props,
        (SELECT t FROM audit_targets t WHERE t.audit_key = a.audit_key AND lower(t.type) IN ('application', 'serviceprincipal')
         ORDER BY t.target_index LIMIT 1) AS app
    FROM audit_scoped($since, $until, $user, $ip) a LEFT JOIN cred c ON c.audit_key = a.audit_key
    WHERE coalesce(a.result, 'success') = 'success'
      AND (len(c.added) > 0 OR (list_contains(activity_list($activities), activity_key(a.activity)) AND coalesce(c.props, 0) = 0))
),
-- Grants of listed permissions anywhere in the export: scopes and application roles.
grants AS (
    SELECT g.audit_key, g.activity_at, lower(t.id) AS app_id, lower(t.display_name) AS app_name, s.permission
    FROM audits g
    JOIN audit_targets t ON t.audit_key = g.audit_key AND lower(t.type) IN ('serviceprincipal', 'application')
    JOIN audit_modified_properties m ON m.audit_key = g.audit_key
        AND m.name IN ('DelegatedPermissionGrant.Scope', 'AppRole.Value', 'ConsentAction.Permissions')
    JOIN ref_high_priv_scopes s ON list_contains(
        string_split(lower(CASE WHEN m.name = 'ConsentAction.Permissions' THEN regexp_extract(m.new_value, 'Scope: ([^,\]]*)', 1)
            ELSE audit_text(m.new_value) END), ' '), s.scope_key)
    WHERE coalesce(g.result, 'success') = 'success'
),
held AS (
    SELECT e.audit_key, list(DISTINCT g.permission ORDER BY g.permission) AS perms, list(DISTINCT g.audit_key ORDER BY g.audit_key) AS grant_keys
    FROM e JOIN grants g ON g.activity_at <= e.activity_at
        AND (g.app_id = lower(e.app.id) OR g.app_name = lower(e.app.display_name))
    GROUP BY e.audit_key
)
SELECT
    CASE WHEN h.perms IS NOT NULL THEN 'high' ELSE 'medium' END AS severity,
    'Credential added to ' || coalesce(e.app.display_name, e.app.id, 'an application') AS title,
    coalesce(lower(e.initiator_upn), '') AS user_principal_name,
    coalesce(e.initiator_ip_address, '') AS ip_address,
    coalesce(e.app.id, '') AS service_principal_id,
    e.activity_at AS first_seen,
    e.activity_at AS last_seen,
    1::BIGINT AS events,
    coalesce(e.initiator, 'an unnamed initiator') || ' added '
        || coalesce(nullif(array_to_string(e.added, '; '), ''), 'a credential') || ' to '
        || coalesce(e.app.type || ' ', '') || coalesce(e.app.display_name, e.app.id, 'an application')
        || ' (' || e.activity || ')'
        || coalesce('; the application holds ' || array_to_string(h.perms, ', ') || ' granted in the export', '') AS details,
    []::BIGINT[] AS evidence,
    list_concat([e.audit_key], coalesce(h.grant_keys, [])) AS audit_evidence
FROM e LEFT JOIN held h ON h.audit_key = e.audit_key
ORDER BY first_seen, service_principal_id, details
