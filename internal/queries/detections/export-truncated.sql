-- id: export-truncated
-- kind: detection
-- title: Export probably truncated
-- question: Does a loaded file hold exactly as many records as an export tool's limit, so that sign-ins beyond it are probably missing?
-- window: all
-- severity: medium
-- anchor: data-quality check (no SIEM rule); record counts known as export limits: 100,000 and 250,000 (admin-center download), 30,000 (Log Analytics portal export), 500,000 (Log Analytics query results)
-- requires: log_type
-- log-types: all
-- param: caps text 30000,100000,250000,500000 | record counts that mark a cut-off export, comma-separated
-- column: severity text | medium: the analysis misses whatever the export left out
-- column: title text | "Export probably truncated: <file>"
-- column: user_principal_name text | empty
-- column: ip_address text | empty
-- column: service_principal_id text | empty
-- column: first_seen time | the file's earliest event
-- column: last_seen time | the file's latest event
-- column: events integer | records in the file
-- column: details text | the count, the limit it matches and what to do. Checked for every file that holds sign-ins inside the window, whatever --user, --app or --ip say
-- column: evidence list | empty: the finding is about the file, not about sign-ins
-- reference: https://learn.microsoft.com/entra/identity/monitoring-health/howto-download-logs
SELECT
    'medium' AS severity,
    'Export probably truncated: ' || path AS title,
    '' AS user_principal_name,
    '' AS ip_address,
    '' AS service_principal_id,
    first_event AS first_seen,
    last_event AS last_seen,
    records AS events,
    path || ' (' || coalesce(format, 'unknown format') || ') holds exactly '
        || CASE WHEN list_contains(CAST(string_split($caps, ',') AS BIGINT[]), records) THEN records ELSE loaded END
        || CASE WHEN list_contains(CAST(string_split($caps, ',') AS BIGINT[]), records) THEN ' records' ELSE ' loaded sign-ins' END
        || ', a known export limit; sign-ins beyond it are probably missing: export the period in smaller pieces or through the API' AS details,
    []::BIGINT[] AS evidence
FROM sources
WHERE (list_contains(CAST(string_split($caps, ',') AS BIGINT[]), records)
       OR list_contains(CAST(string_split($caps, ',') AS BIGINT[]), loaded))
  AND source_id IN (SELECT DISTINCT source_id FROM scoped($since, $until, NULL, NULL, NULL, $log_types))
ORDER BY first_seen, title
