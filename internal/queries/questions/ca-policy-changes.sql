-- id: ca-policy-changes
-- kind: query
-- title: Conditional Access and named location changes
-- question: Which Conditional Access policies and named locations were added, changed or deleted, by whom, and what were the values before and after?
-- window: all
-- mirrors: Entra admin center > Conditional Access > Audit logs
-- requires: activity
-- log-types: audit
-- param: activities text "Add conditional access policy,Update conditional access policy,Delete conditional access policy,Add named location,Update named location,Delete named location" | the activity display names counted as Conditional Access changes, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: initiator text | who made the change
-- column: initiator_ip text | address the initiator acted from
-- column: policy text | the policy or named location (target display name, else the displayName in its value)
-- column: old_state text | the policy's state before (enabled, disabled, enabledForReportingButNotEnforced = report-only), from the old value's JSON
-- column: new_state text | its state after
-- column: exclusions_added text | users, groups, roles, applications, locations and platforms newly excluded: "excludeUsers <id>, ..."
-- column: old_value text | the changed property's value before, as exported (the policy as JSON)
-- column: new_value text | its value after
-- column: audit_id text | the audit record's id
-- summary: rank=25 | {{if not rows}}Conditional Access: no changes in {{window}}{{else}}Conditional Access: {{plural (len rows) "change" "changes"}} to {{plural (distinct "policy") "policy or location" "policies or locations"}} in {{window}}{{with $r := first}}; first {{text $r.initiator}} {{text $r.activity}} {{text $r.policy}}{{end}}{{end}}
-- reference: https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-policy-changes-audit-log
-- reference: https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy
WITH e AS (
    SELECT * FROM audit_scoped($since, $until, $user, $ip)
    WHERE list_contains(activity_list($activities), activity_key(activity))
),
-- The first changed property of each event carries the policy (ConditionalAccessPolicy) or
-- the named location as JSON.
prop AS (
    SELECT audit_key, old_value, new_value,
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
    )
    GROUP BY audit_key
)
SELECT
    e.activity_at,
    e.activity,
    e.result,
    e.initiator,
    e.initiator_ip_address AS initiator_ip,
    coalesce((SELECT nullif(t.display_name, '') FROM audit_targets t WHERE t.audit_key = e.audit_key ORDER BY t.target_index LIMIT 1),
        json_extract_string(p.n, '$.displayName'), json_extract_string(p.o, '$.displayName')) AS policy,
    json_extract_string(p.o, '$.state') AS old_state,
    json_extract_string(p.n, '$.state') AS new_state,
    x.added AS exclusions_added,
    p.old_value,
    p.new_value,
    e.id AS audit_id
FROM e LEFT JOIN prop p ON p.audit_key = e.audit_key LEFT JOIN excl x ON x.audit_key = e.audit_key
ORDER BY e.activity_at, e.audit_key
