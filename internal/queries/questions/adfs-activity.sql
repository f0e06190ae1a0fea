-- id: adfs-activity
-- kind: query
-- title: Federated sign-ins by token issuer
-- question: Which user sign-ins were authenticated by a federation server (AD FS or another issuer than Entra ID), for which applications?
-- window: 30d
-- mirrors: Entra admin center > Sign-in logs, filtered on Token issuer type (AD Federation Services)
-- requires: token_issuer_type
-- log-types: interactiveUser, nonInteractiveUser
-- column: token_issuer_type text | issuer type as exported (ADFederationServices, ...); every type other than AzureAD
-- column: token_issuer_name text | name of the issuer (the federation server)
-- column: app_id text | application (client) id
-- column: app_display_name text | application name
-- column: sign_ins integer | interactive and non-interactive user sign-ins through this issuer
-- column: users integer | distinct users (by user id)
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: first_seen time | earliest such sign-in
-- column: last_seen time | latest such sign-in
-- reference: https://learn.microsoft.com/graph/api/resources/signin
SELECT
    token_issuer_type,
    token_issuer_name,
    app_id,
    max(app_display_name) AS app_display_name,
    count(*) AS sign_ins,
    count(DISTINCT user_id) AS users,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
  AND nullif(token_issuer_type, '') IS NOT NULL
  AND lower(token_issuer_type) NOT IN ('azuread', 'azureadbackupauth')
GROUP BY token_issuer_type, token_issuer_name, app_id
ORDER BY token_issuer_type, token_issuer_name, sign_ins DESC, app_display_name, app_id
