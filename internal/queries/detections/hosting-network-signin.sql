-- id: hosting-network-signin
-- kind: detection
-- title: Sign-in from a hosting, VPN or anonymizer network
-- question: Which users signed in successfully and interactively from a cloud, hosting, VPN or anonymizer network, where people rarely sit but relays, proxies and rented servers do?
-- window: all
-- severity: high
-- mitre: T1078.004, T1090.003
-- anchor: Microsoft-Analyzer-Suite's ASN blocklist of hosting and VPN providers and Elastic "Entra ID sign-in from a hosting/VPN provider"-style rules; the networks are the embedded list internal/reference/hostingasn.tsv (source and date in its header)
-- requires: autonomous_system_number, user_principal_name
-- log-types: interactiveUser
-- param: include_microsoft boolean false | also report Microsoft's network (AS8075). Left out by default: Microsoft's own services, Windows 365 Cloud PCs and Azure Virtual Desktop sign users in from it every day, so it would drown the rest; an attacker's Azure virtual machine signs in from it too, so set it to true when the tenant uses no Microsoft-hosted desktops
-- column: severity text | high for cloud, hosting and anonymizer networks (a person does not browse from a server; a relay or proxy does); medium for commercial VPN networks, which staff also use
-- column: title text | "Sign-in from <kind> network: <provider> (AS<number>)"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address when every such sign-in came from one; empty when several (counted in details)
-- column: service_principal_id text | empty
-- column: first_seen time | first successful interactive sign-in of the user from the network
-- column: last_seen time | last one
-- column: events integer | successful interactive sign-ins of the user from the network's AS number
-- column: details text | the network, its kind and the list's source, the addresses, countries and applications
-- column: evidence list | those sign-ins
-- reference: https://github.com/X4BNet/lists_vpn
-- reference: https://attack.mitre.org/techniques/T1090/003/
SELECT
    CASE WHEN h.kind = 'vpn' THEN 'medium' ELSE 'high' END AS severity,
    'Sign-in from ' || h.kind || ' network: ' || h.provider || ' (AS' || h.asn || ')' AS title,
    lower(s.user_principal_name) AS user_principal_name,
    CASE WHEN count(DISTINCT s.ip_address) = 1 THEN min(s.ip_address) ELSE '' END AS ip_address,
    '' AS service_principal_id,
    min(s.created_at) AS first_seen,
    max(s.created_at) AS last_seen,
    count(*) AS events,
    count(*) || CASE WHEN count(*) = 1 THEN ' successful interactive sign-in' ELSE ' successful interactive sign-ins' END
        || ' from AS' || h.asn || ' ' || h.provider || ' (' || h.kind || ' network, list source ' || h.source || ') from '
        || count(DISTINCT s.ip_address) || CASE WHEN count(DISTINCT s.ip_address) = 1 THEN ' IP address' ELSE ' IP addresses' END
        || coalesce(' in ' || array_to_string(list(DISTINCT upper(s.country) ORDER BY upper(s.country)) FILTER (WHERE nullif(s.country, '') IS NOT NULL), ', '), '')
        || coalesce(' to ' || array_to_string(list(DISTINCT s.app_display_name ORDER BY s.app_display_name) FILTER (WHERE s.app_display_name IS NOT NULL), ', '), '') AS details,
    list(s.signin_key ORDER BY s.created_at, s.signin_key) AS evidence
FROM scoped($since, $until, $app, $user, $ip, $log_types) s
JOIN ref_hosting_asns h ON h.asn = s.autonomous_system_number
WHERE s.log_type = 'interactiveUser' AND s.error_code = 0 AND s.user_principal_name IS NOT NULL
    AND (h.asn <> 8075 OR $include_microsoft)
GROUP BY lower(s.user_principal_name), h.asn, h.provider, h.kind, h.source
ORDER BY first_seen, user_principal_name, title
