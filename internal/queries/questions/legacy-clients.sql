-- id: legacy-clients
-- kind: query
-- title: Legacy authentication clients
-- question: Which users signed in with legacy protocols (Exchange ActiveSync, IMAP4, POP3, Authenticated SMTP, MAPI, other clients), and did any succeed?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, filtered on Client app (legacy authentication clients)
-- requires: client_app_used
-- log-types: interactiveUser, nonInteractiveUser
-- column: client_app_used text | client app as exported (IMAP4, POP3, Authenticated SMTP, Exchange ActiveSync, ...)
-- column: user_principal_name text | user principal name (the user is the user id)
-- column: sign_ins integer | user sign-ins of this user with this client
-- column: successful_sign_ins integer | those with error code 0: legacy authentication that got in
-- column: failed_sign_ins integer | those with a non-zero error code
-- column: ips integer | distinct client IP addresses
-- column: last_success time | latest successful sign-in; empty when none succeeded
-- column: last_seen time | latest sign-in
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/policy-block-legacy-authentication
SELECT
    client_app_used,
    max(user_principal_name) AS user_principal_name,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE error_code = 0) AS successful_sign_ins,
    count(*) FILTER (WHERE error_code <> 0) AS failed_sign_ins,
    count(DISTINCT ip_address) AS ips,
    max(created_at) FILTER (WHERE error_code = 0) AS last_success,
    max(created_at) AS last_seen
FROM scoped($since, $until, $app, $user, $ip, $log_types)
WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
  AND (lower(trim(client_app_used)) IN ('exchange activesync', 'imap4', 'imap', 'pop3', 'pop', 'authenticated smtp', 'smtp',
        'mapi over http', 'mapi', 'exchange online powershell', 'exchange web services', 'autodiscover',
        'outlook anywhere (rpc over http)', 'offline address book', 'reporting web services', 'universal outlook',
        'other clients')
       OR lower(client_app_used) LIKE 'other clients%')
GROUP BY client_app_used, coalesce(user_id, lower(user_principal_name))
ORDER BY successful_sign_ins DESC, sign_ins DESC, client_app_used, user_principal_name,
    coalesce(user_id, lower(user_principal_name))
