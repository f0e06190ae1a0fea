-- id: workload-new-asn
-- kind: detection
-- title: Workload identity signing in from a new network
-- question: Did a service principal or managed identity sign in successfully, in the judged period, from an autonomous system (network) it never used in the baseline?
-- window: all
-- severity: medium
-- mitre: T1078.004, T1550.001
-- anchor: Microsoft Entra security operations guide for workload identities (sign-ins from unexpected locations) and Elastic new-terms rules on service principal sign-ins (a source ASN never seen for the identity in the look-back); the baseline is --baseline
-- requires: autonomous_system_number, service_principal_id
-- log-types: managedIdentity, servicePrincipal
-- param: min_baseline duration 7d | the shortest baseline that can tell a new network from a habit (an hour less still counts: exports start and end minutes inside their days): with less, the detection does not run and says it could not judge
-- column: severity text | high when the new network is a VPN or anonymizer network (internal/reference/hostingasn.tsv); medium otherwise: a stolen secret used from elsewhere, or a moved deployment
-- column: title text | "New network for <identity>: AS<number>"
-- column: user_principal_name text | empty
-- column: ip_address text | the address when every such sign-in came from one; empty when several
-- column: service_principal_id text | the service principal or managed identity
-- column: first_seen time | first successful sign-in of the identity from the network, in the judged period (after the baseline)
-- column: last_seen time | last one
-- column: events integer | successful sign-ins of the identity from the network, all after the baseline. Identities without any sign-in with a known network in the baseline are left out: for them every network is new
-- column: details text | the network (and its provider when listed), the networks of the baseline, and the baseline's length and dates
-- column: evidence list | those sign-ins
-- reference: https://learn.microsoft.com/entra/architecture/security-operations-applications
WITH s AS (
    SELECT signin_key, created_at, log_type, service_principal_id AS sp,
        coalesce(service_principal_name, app_display_name, service_principal_id) AS name, ip_address,
        autonomous_system_number AS asn
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('servicePrincipal', 'managedIdentity') AND error_code = 0
      AND service_principal_id IS NOT NULL AND autonomous_system_number IS NOT NULL
),
baseline AS (
    SELECT sp, count(*) AS n, list(DISTINCT asn ORDER BY asn) AS asns
    FROM s WHERE created_at <= $baseline_end GROUP BY sp
),
-- Only the networks the baseline did not have are gathered.
judged AS (
    SELECT s.sp, s.asn, min(s.name) AS name, min(s.log_type) AS log_type,
        min(s.created_at) AS first_use, max(s.created_at) AS last_use, count(*) AS n,
        CASE WHEN count(DISTINCT s.ip_address) = 1 THEN min(s.ip_address) ELSE '' END AS ip_address,
        list(s.signin_key ORDER BY s.created_at, s.signin_key) AS keys
    FROM s JOIN baseline b USING (sp)
    WHERE s.created_at > $baseline_end AND NOT list_contains(b.asns, s.asn)
    GROUP BY s.sp, s.asn
)
SELECT
    CASE WHEN h.kind IN ('vpn', 'anonymizer') THEN 'high' ELSE 'medium' END AS severity,
    'New network for ' || j.name || ': AS' || j.asn AS title,
    '' AS user_principal_name,
    j.ip_address,
    j.sp AS service_principal_id,
    j.first_use AS first_seen,
    j.last_use AS last_seen,
    j.n AS events,
    CASE j.log_type WHEN 'managedIdentity' THEN 'managed identity ' ELSE 'service principal ' END || j.name
        || ' signed in ' || j.n || CASE WHEN j.n = 1 THEN ' time' ELSE ' times' END || ' from AS' || j.asn
        || coalesce(' (' || h.provider || ', ' || h.kind || ' network)', '')
        || ' from ' || strftime(j.first_use, '%Y-%m-%dT%H:%M:%SZ') || '; in the baseline, '
        || round(epoch($baseline_end - $baseline_start) / 86400, 1) || ' days from '
        || strftime($baseline_start, '%Y-%m-%dT%H:%M:%SZ') || ' to ' || strftime($baseline_end, '%Y-%m-%dT%H:%M:%SZ')
        || ', only from AS' || array_to_string(b.asns, ', AS') || ' (' || b.n
        || CASE WHEN b.n = 1 THEN ' sign-in)' ELSE ' sign-ins)' END AS details,
    j.keys AS evidence
FROM judged j JOIN baseline b USING (sp)
LEFT JOIN ref_hosting_asns h ON h.asn = j.asn
WHERE NOT list_contains(b.asns, j.asn)
    AND epoch($baseline_end - $baseline_start) + 3600 >= $min_baseline  -- the minimum holds under signinlens query too
ORDER BY first_seen, service_principal_id, title
