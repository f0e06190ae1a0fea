-- id: single-factor-admin-app
-- kind: detection
-- title: Single-factor sign-ins to administrative applications
-- question: Who got into an administrative tool (Azure portal, Azure CLI, PowerShell, Graph tools) with a password alone?
-- window: all
-- severity: medium
-- mitre: T1078.004
-- anchor: Microsoft's Conditional Access templates "Require MFA for administrators" and "Require MFA for Azure management"; the applications are the embedded list internal/reference/adminapps.tsv
-- requires: authentication_requirement, app_id
-- log-types: all
-- column: severity text | medium
-- column: title text | "Single-factor sign-in to <administrative application>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every such sign-in came from one; empty when several
-- column: service_principal_id text | empty
-- column: first_seen time | first such sign-in
-- column: last_seen time | last such sign-in
-- column: events integer | successful sign-ins with authentication requirement singleFactorAuthentication whose application or resource is in the list (matched by application id; counted under the application when both match)
-- column: details text | the applications and resources used and why the list names them
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/policy-old-require-mfa-azure-mgmt
WITH m AS (
    SELECT s.signin_key, s.created_at, lower(s.user_principal_name) AS usr, s.ip_address,
        s.app_display_name, s.resource_display_name,
        coalesce(a.name, r.name) AS admin_app, coalesce(a.why, r.why) AS why
    FROM scoped($since, $until, $app, $user, $ip, $log_types) s
    LEFT JOIN ref_admin_apps a ON a.app_id = lower(s.app_id)
    LEFT JOIN ref_admin_apps r ON r.app_id = lower(s.resource_id)
    WHERE s.error_code = 0 AND s.user_principal_name IS NOT NULL
      AND lower(replace(replace(s.authentication_requirement, ' ', ''), '-', '')) = 'singlefactorauthentication'
      AND (a.app_id IS NOT NULL OR r.app_id IS NOT NULL)
)
SELECT
    'medium' AS severity,
    'Single-factor sign-in to ' || admin_app AS title,
    usr AS user_principal_name,
    CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) || CASE WHEN count(*) = 1 THEN ' successful single-factor sign-in' ELSE ' successful single-factor sign-ins' END || ' ('
        || coalesce(array_to_string(list(DISTINCT app_display_name ORDER BY app_display_name) FILTER (WHERE app_display_name IS NOT NULL), ', '), '?')
        || ' to '
        || coalesce(array_to_string(list(DISTINCT resource_display_name ORDER BY resource_display_name) FILTER (WHERE resource_display_name IS NOT NULL), ', '), '?')
        || '): ' || admin_app || ' ' || why AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM m
GROUP BY usr, admin_app, why
ORDER BY first_seen, user_principal_name, title
