-- id: ca-policy-weakened
-- kind: detection
-- title: Conditional Access policy weakened
-- question: Was a Conditional Access policy disabled, deleted, switched to report-only, or given a new exclusion?
-- window: all
-- severity: high
-- mitre: T1556.009
-- anchor: Microsoft Sentinel "Conditional Access Policy Modified by New User" / "Conditional Access - A Conditional Access Policy was Deleted" (audit log, category Policy)
-- requires: activity
-- log-types: audit
-- param: activities text "Update conditional access policy,Delete conditional access policy" | the activity display names that change or delete a policy, comma-separated (compared ignoring case, dash style and spacing)
-- column: severity text | high when the policy was disabled, deleted or switched to report-only; medium when only an exclusion was added
-- column: title text | "Conditional Access policy weakened: <policy>"
-- column: user_principal_name text | who changed it (lower case); empty when an application did
-- column: ip_address text | the address the initiator acted from
-- column: service_principal_id text | empty
-- column: first_seen time | the change
-- column: last_seen time | the same
-- column: events integer | 1
-- column: details text | what changed: the state before and after (from the old and new JSON values of the changed property) and the users, groups, roles, applications, locations or platforms newly excluded
-- column: evidence list | empty (no sign-in)
-- column: audit_evidence list | the change event
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-policy-changes-audit-log
-- reference: https://attack.mitre.org/techniques/T1556/009/
WITH e AS (
    SELECT a.* FROM audit_scoped($since, $until, $user, $ip) a
    WHERE list_contains(activity_list($activities), activity_key(a.activity))
      AND coalesce(a.result, 'success') = 'success'
),
prop AS (
    SELECT audit_key,
        CASE WHEN json_valid(old_value) THEN old_value::JSON END AS o,
        CASE WHEN json_valid(new_value) THEN new_value::JSON END AS n
    FROM (
        SELECT m.*, row_number() OVER (PARTITION BY m.audit_key ORDER BY m.target_index, m.property_index) AS rn
        FROM audit_modified_properties m WHERE m.audit_key IN (SELECT audit_key FROM e)
    ) WHERE rn = 1
),
paths(k, p) AS (VALUES
    ('excludeUsers', '$.conditions.users.excludeUsers'), ('excludeGroups', '$.conditions.users.excludeGroups'),
    ('excludeRoles', '$.conditions.users.excludeRoles'), ('excludeApplications', '$.conditions.applications.excludeApplications'),
    ('excludeLocations', '$.conditions.locations.excludeLocations'), ('excludePlatforms', '$.conditions.platforms.excludePlatforms')
),
excl AS (
    SELECT audit_key, string_agg(k || ' ' || x, ', ' ORDER BY k, x) AS added
    FROM (
        SELECT prop.audit_key, paths.k,
            unnest(list_filter(coalesce(TRY_CAST(json_extract(prop.n, paths.p) AS VARCHAR[]), []),
                x -> NOT list_contains(coalesce(TRY_CAST(json_extract(prop.o, paths.p) AS VARCHAR[]), []), x))) AS x
        FROM prop, paths
        WHERE prop.o IS NOT NULL AND prop.n IS NOT NULL
    )
    GROUP BY audit_key
),
c AS (
    SELECT e.*, json_extract_string(p.o, '$.state') AS old_state, json_extract_string(p.n, '$.state') AS new_state, x.added,
        coalesce((SELECT nullif(t.display_name, '') FROM audit_targets t WHERE t.audit_key = e.audit_key ORDER BY t.target_index LIMIT 1),
            json_extract_string(p.n, '$.displayName'), json_extract_string(p.o, '$.displayName'), 'a policy') AS policy,
        activity_key(e.activity) LIKE 'delete%' AS deleted
    FROM e LEFT JOIN prop p ON p.audit_key = e.audit_key LEFT JOIN excl x ON x.audit_key = e.audit_key
),
w AS (
    SELECT *,
        list_filter([
            CASE WHEN deleted THEN 'deleted' || coalesce(' (it was ' || old_state || ')', '') END,
            CASE WHEN NOT deleted AND new_state = 'disabled' AND old_state IS DISTINCT FROM 'disabled' THEN 'disabled (was ' || coalesce(old_state, 'not said') || ')' END,
            CASE WHEN NOT deleted AND new_state = 'enabledForReportingButNotEnforced' AND old_state = 'enabled' THEN 'switched from enabled to report-only' END,
            CASE WHEN added IS NOT NULL THEN 'exclusions added: ' || added END
        ], x -> x IS NOT NULL) AS how
    FROM c
)
SELECT
    CASE WHEN len(how) > 1 OR added IS NULL THEN 'high' ELSE 'medium' END AS severity,
    'Conditional Access policy weakened: ' || policy AS title,
    coalesce(lower(initiator_upn), '') AS user_principal_name,
    coalesce(initiator_ip_address, '') AS ip_address,
    '' AS service_principal_id,
    activity_at AS first_seen,
    activity_at AS last_seen,
    1::BIGINT AS events,
    coalesce(initiator, 'an unnamed initiator') || coalesce(' from ' || initiator_ip_address, '') || ': ' || policy || ' '
        || array_to_string(how, '; ') AS details,
    []::BIGINT[] AS evidence,
    [audit_key] AS audit_evidence
FROM w
WHERE len(how) > 0
ORDER BY first_seen, user_principal_name, details
