-- id: consent-grant
-- kind: detection
-- title: Consent to high-privilege permissions
-- question: Was an application given consent to, or granted, high-privilege permissions such as Mail.Read, Files.ReadWrite.All or Directory.ReadWrite.All?
-- window: all
-- severity: high
-- mitre: T1528
-- anchor: Microsoft Sentinel "Consent to Application discovery" / "Rare application consent" and Microsoft's illicit consent grant playbook (audit log, Consent to application and permission grants)
-- requires: activity
-- log-types: audit
-- param: activities text "Consent to application,Add delegated permission grant,Add app role assignment to service principal" | the activity display names that consent or grant, comma-separated (compared ignoring case, dash style and spacing)
-- column: severity text | high when the grant is tenant-wide (consent on behalf of all users, ConsentType AllPrincipals, or an application permission) or gives offline_access together with a mail permission (lasting mailbox access, the consent-phishing pattern); medium otherwise
-- column: title text | "Consent to high-privilege permissions: <application>"
-- column: user_principal_name text | the user who consented or granted (lower case); empty when an application did
-- column: ip_address text | the address the initiator acted from
-- column: service_principal_id text | the application (service principal) given the permissions
-- column: first_seen time | the consent
-- column: last_seen time | the same
-- column: events integer | 1
-- column: details text | the high-privilege permissions (internal/reference/highprivscopes.tsv), all permissions granted, and for whom
-- column: evidence list | empty (no sign-in)
-- column: audit_evidence list | the consent or grant event
-- reference: https://learn.microsoft.com/defender-office-365/detect-and-remediate-illicit-consent-grants
-- reference: https://attack.mitre.org/techniques/T1528/
WITH e AS (
    SELECT a.*,
        (SELECT t FROM audit_targets t WHERE t.audit_key = a.audit_key AND lower(t.type) IN ('serviceprincipal', 'application')
         ORDER BY t.target_index LIMIT 1) AS app
    FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
      AND coalesce(a.result, 'success') = 'success'
),
perm AS (
    SELECT e.audit_key,
        list_distinct(flatten(list(string_split(trim(CASE
            WHEN m.name = 'ConsentAction.Permissions' THEN regexp_extract(m.new_value, 'Scope: ([^,\]]*)', 1)
            WHEN m.name IN ('DelegatedPermissionGrant.Scope', 'AppRole.Value') THEN audit_text(m.new_value)
        END), ' ')))) AS scopes,
        bool_or((m.name = 'ConsentContext.OnBehalfOfAll' AND lower(audit_text(m.new_value)) = 'true')
            OR (m.name = 'DelegatedPermissionGrant.ConsentType' AND lower(audit_text(m.new_value)) = 'allprincipals')
            OR (m.name = 'ConsentAction.Permissions' AND m.new_value ILIKE '%ConsentType: AllPrincipals%')) AS all_users
    FROM e JOIN audit_modified_properties m ON m.audit_key = e.audit_key
    GROUP BY e.audit_key
),
scored AS (
    SELECT e.*, list_sort(list_filter(p.scopes, x -> x <> '')) AS scopes,
        coalesce(p.all_users, false) OR activity_key(e.activity) = 'add app role assignment to service principal' AS tenant_wide,
        (SELECT list(s.permission ORDER BY s.permission) FROM ref_high_priv_scopes s
         WHERE list_contains(list_transform(p.scopes, x -> lower(x)), s.scope_key)) AS high,
        (SELECT bool_or(s.kind = 'mail') FROM ref_high_priv_scopes s
         WHERE list_contains(list_transform(p.scopes, x -> lower(x)), s.scope_key)) AS mail,
        list_contains(list_transform(p.scopes, x -> lower(x)), 'offline_access') AS offline
    FROM e JOIN perm p ON p.audit_key = e.audit_key
)
SELECT
    CASE WHEN tenant_wide OR (offline AND coalesce(mail, false)) THEN 'high' ELSE 'medium' END AS severity,
    'Consent to high-privilege permissions: ' || coalesce(app.display_name, app.id, 'an application') AS title,
    coalesce(lower(initiator_upn), '') AS user_principal_name,
    coalesce(initiator_ip_address, '') AS ip_address,
    coalesce(app.id, '') AS service_principal_id,
    activity_at AS first_seen,
    activity_at AS last_seen,
    1::BIGINT AS events,
    coalesce(initiator, 'an unnamed initiator') || ' (' || activity || ') gave ' || coalesce(app.display_name, app.id, 'an application')
        || ' ' || array_to_string(high, ', ')
        || CASE WHEN tenant_wide THEN ' for the whole tenant' ELSE ' for one user' END
        || CASE WHEN offline AND coalesce(mail, false) THEN ', with offline_access (lasting mailbox access)' ELSE '' END
        || '; all permissions granted: ' || array_to_string(scopes, ' ') AS details,
    []::BIGINT[] AS evidence,
    [audit_key] AS audit_evidence
FROM scored
WHERE len(high) > 0
ORDER BY first_seen, user_principal_name, details
