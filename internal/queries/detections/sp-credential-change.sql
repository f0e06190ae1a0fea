-- id: sp-credential-change
-- kind: detection
-- title: Service principal signing in with a new credential
-- question: Did a service principal start authenticating with a credential (type, key or certificate) it had not used earlier in the export?
-- window: all
-- severity: medium
-- mitre: T1098.001
-- anchor: Microsoft Sentinel "New access credential added to Application or Service Principal" (audit side); here the sign-in side: the first successful use of a credential that differs from the ones used before
-- requires: sp_credential_key_id
-- log-types: servicePrincipal
-- column: severity text | medium: a rotated secret looks the same as a planted one; check the application's audit log
-- column: title text | "New credential for service principal <name>"
-- column: user_principal_name text | empty
-- column: ip_address text | the address when every sign-in with the new credential came from one; empty when several
-- column: service_principal_id text | the service principal
-- column: first_seen time | first successful sign-in with the new credential
-- column: last_seen time | last one
-- column: events integer | successful sign-ins with the new credential (same credential type, key id, thumbprint and federated credential)
-- column: details text | the new credential and the ones used before it
-- column: evidence list | the sign-ins with the new credential
-- reference: https://attack.mitre.org/techniques/T1098/001/
WITH s AS (
    SELECT signin_key, created_at, service_principal_id AS sp,
        coalesce(service_principal_name, app_display_name, service_principal_id) AS name, ip_address,
        coalesce(client_credential_type, '') AS ctype, coalesce(sp_credential_key_id, '') AS kid,
        coalesce(sp_credential_thumbprint, '') AS thumb, coalesce(federated_credential_id, '') AS fic
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type = 'servicePrincipal' AND error_code = 0 AND service_principal_id IS NOT NULL
),
creds AS (
    SELECT sp, ctype, kid, thumb, fic,
        coalesce(nullif(concat_ws(' ',
            nullif(ctype, ''),
            CASE WHEN kid <> '' THEN 'key ' || kid END,
            CASE WHEN thumb <> '' THEN 'thumbprint ' || thumb END,
            CASE WHEN fic <> '' THEN 'federated credential ' || fic END), ''), 'no credential details') AS label,
        min(name) AS name, min(created_at) AS first_use, max(created_at) AS last_use, count(*) AS n,
        count(DISTINCT ip_address) AS ips,
        CASE WHEN count(DISTINCT ip_address) = 1 THEN min(ip_address) ELSE '' END AS ip_address,
        list(signin_key ORDER BY created_at, signin_key) AS keys
    FROM s GROUP BY sp, ctype, kid, thumb, fic
),
-- A credential is new when the service principal had signed in with another one before it.
fresh AS (
    SELECT n.*,
        string_agg(o.label || ' (' || o.n || ' sign-ins from ' || strftime(o.first_use, '%Y-%m-%dT%H:%M:%SZ') || ')', '; '
            ORDER BY o.first_use, o.label) AS before
    FROM creds n JOIN creds o ON o.sp = n.sp AND o.first_use < n.first_use
    GROUP BY ALL
)
SELECT
    'medium' AS severity,
    'New credential for service principal ' || name AS title,
    '' AS user_principal_name,
    ip_address,
    sp AS service_principal_id,
    first_use AS first_seen,
    last_use AS last_seen,
    n AS events,
    'signed in ' || n || ' times with ' || label || ' from ' || strftime(first_use, '%Y-%m-%dT%H:%M:%SZ')
        || '; before that with ' || before AS details,
    keys AS evidence
FROM fresh
ORDER BY first_seen, service_principal_id, details
