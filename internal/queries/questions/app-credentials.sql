-- id: app-credentials
-- kind: query
-- title: Credentials used by service principals
-- question: Which credential (secret, certificate, federated token) did each service principal sign in with, and when was each first and last used?
-- window: all
-- mirrors: Entra admin center > Usage & insights > Application credential activity
-- requires: sp_credential_key_id
-- log-types: servicePrincipal
-- column: service_principal_id text | object id of the service principal
-- column: service_principal_name text | its name
-- column: app_id text | application (client) id
-- column: client_credential_type text | clientSecret, certificate, federatedIdentityCredential, clientAssertion, ...; "(not recorded)" when empty
-- column: credential_key_id text | key id of the credential used; empty when not recorded
-- column: credential_thumbprint text | certificate thumbprint, for certificates
-- column: sign_ins integer | service principal sign-ins with this credential
-- column: failed_sign_ins integer | those with a non-zero error code (7000215 = wrong secret, 7000222 = expired secret)
-- column: first_used time | earliest sign-in with this credential
-- column: last_used time | latest sign-in with this credential
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-usage-insights-report
SELECT
    service_principal_id,
    max(service_principal_name) AS service_principal_name,
    app_id,
    coalesce(nullif(client_credential_type, ''), '(not recorded)') AS client_credential_type,
    sp_credential_key_id AS credential_key_id,
    sp_credential_thumbprint AS credential_thumbprint,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    min(created_at) AS first_used,
    max(created_at) AS last_used
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type = 'servicePrincipal'
GROUP BY service_principal_id, app_id, 4, sp_credential_key_id, sp_credential_thumbprint
ORDER BY service_principal_name, service_principal_id, app_id, last_used DESC, client_credential_type,
    credential_key_id, credential_thumbprint
