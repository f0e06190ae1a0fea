-- id: signin-by-device-code
-- kind: detection
-- title: Device-code sign-ins
-- question: Who signed in with the device-code flow, the flow that device-code phishing abuses, and from where?
-- window: all
-- severity: medium
-- mitre: T1528, T1566.002
-- anchor: Elastic "Entra ID OAuth Device Code Flow with Concurrent Sign-ins" (originalTransferMethod deviceCodeFlow, authenticationProtocol deviceCode); here every device-code sign-in is reported, grouped by user and address
-- requires: authentication_protocol
-- log-types: all
-- column: severity text | medium when a device-code sign-in succeeded; low when all failed
-- column: title text | "Device-code sign-in"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address the sign-ins came from
-- column: service_principal_id text | empty
-- column: first_seen time | first device-code sign-in of the user from the address
-- column: last_seen time | last one
-- column: events integer | sign-ins with authentication protocol deviceCode or original transfer method deviceCodeFlow
-- column: details text | successes and failures, and the applications and resources they were for
-- column: evidence list | those sign-ins
-- reference: https://attack.mitre.org/techniques/T1528/
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows#device-code-flow
SELECT
    CASE WHEN count(*) FILTER (WHERE error_code = 0) > 0 THEN 'medium' ELSE 'low' END AS severity,
    'Device-code sign-in' AS title,
    coalesce(lower(user_principal_name), '') AS user_principal_name,
    coalesce(ip_address, '') AS ip_address,
    '' AS service_principal_id,
    min(created_at) AS first_seen,
    max(created_at) AS last_seen,
    count(*) AS events,
    count(*) FILTER (WHERE error_code = 0) || ' successful, ' || count(*) FILTER (WHERE error_code <> 0)
        || ' failed device-code sign-ins'
        || coalesce(' to ' || array_to_string(list(DISTINCT app_display_name ORDER BY app_display_name) FILTER (WHERE app_display_name IS NOT NULL), ', '), '')
        || coalesce(' for ' || array_to_string(list(DISTINCT resource_display_name ORDER BY resource_display_name) FILTER (WHERE resource_display_name IS NOT NULL), ', '), '') AS details,
    list(signin_key ORDER BY created_at, signin_key) AS evidence
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE lower(replace(authentication_protocol, ' ', '')) = 'devicecode'
   OR lower(replace(original_transfer_method, ' ', '')) = 'devicecodeflow'
GROUP BY coalesce(lower(user_principal_name), ''), coalesce(ip_address, '')
ORDER BY first_seen, user_principal_name, ip_address
