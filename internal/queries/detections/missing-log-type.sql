-- id: missing-log-type
-- kind: detection
-- title: Sign-in log type missing
-- question: Which of the four sign-in logs is absent from the loaded exports, so that what happens only there cannot be seen?
-- window: all
-- severity: low
-- anchor: data-quality check (no SIEM rule): Microsoft Sentinel's Entra ID analytics read SigninLogs, AADNonInteractiveUserSignInLogs, AADServicePrincipalSignInLogs and AADManagedIdentitySignInLogs together
-- requires: log_type
-- log-types: all
-- column: severity text | low
-- column: title text | "Sign-in log type missing: <log type>"
-- column: user_principal_name text | empty
-- column: ip_address text | empty
-- column: service_principal_id text | empty
-- column: first_seen time | earliest sign-in of the selection (the period the gap covers)
-- column: last_seen time | latest sign-in of the selection
-- column: events integer | 0
-- column: details text | what the missing log would have shown. A log type left out with --log-type is not reported; --user, --app and --ip are ignored
-- column: evidence list | empty
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/concept-sign-ins
WITH span AS (
    SELECT min(created_at) AS first_seen, max(created_at) AS last_seen
    FROM scoped($since, $until, NULL, NULL, NULL, $log_types)
),
types(log_type, ord, why) AS (VALUES
    ('interactiveUser', 1, 'interactive sign-ins: passwords typed, MFA prompts, most password sprays and brute force'),
    ('nonInteractiveUser', 2, 'non-interactive sign-ins: token refreshes and replays, and sprays through legacy and scripted clients'),
    ('servicePrincipal', 3, 'service principal sign-ins: applications authenticating with secrets, certificates or federated credentials'),
    ('managedIdentity', 4, 'managed identity sign-ins: Azure resources reaching other resources')
)
SELECT
    'low' AS severity,
    'Sign-in log type missing: ' || t.log_type AS title,
    '' AS user_principal_name,
    '' AS ip_address,
    '' AS service_principal_id,
    span.first_seen,
    span.last_seen,
    0::BIGINT AS events,
    'no ' || t.log_type || ' records were loaded, so ' || t.why
        || ' are not examined; export that log too if the tenant has it' AS details,
    []::BIGINT[] AS evidence
FROM types t, span
WHERE span.first_seen IS NOT NULL
  AND ($log_types IS NULL OR len($log_types) = 0 OR list_contains($log_types, t.log_type))
  AND NOT EXISTS (SELECT 1 FROM scoped($since, $until, NULL, NULL, NULL, $log_types) s WHERE s.log_type = t.log_type)
ORDER BY t.ord
