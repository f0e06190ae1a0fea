-- id: browsers
-- kind: query
-- title: Browsers used by users
-- question: Which browsers do users sign in with, and how many sign-ins from each failed?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, column Browser
-- requires: browser
-- log-types: interactiveUser, nonInteractiveUser
-- summary: rank=4 | {{if not rows}}{{title}}: no user sign-ins in {{window}}{{else}}{{with $r := first}}Most user sign-ins came from the browser {{text $r.browser}}: {{thousands $r.sign_ins}} of {{thousands (sum "sign_ins")}}{{percent $r.sign_ins (sum "sign_ins")}} in {{window}}{{end}}{{with $r := second}}; next {{text $r.browser}} ({{thousands $r.sign_ins}}){{end}}{{end}}
-- chart: rank=2 category=browser value=sign_ins | Browsers: user sign-ins
-- param: by_version boolean false | one row per browser family and version ("Edge", "124.0.2478") instead of one per family; flag --by-version
-- column: browser text | browser family: the exported strings grouped without their versions ("Edge 124.0.2478" is Edge, "Mobile Safari 17.4" is Safari; families in the README); "(unknown)" when empty
-- column: versions list | the versions the exported strings carried ("124.0.2478, 125.0.2535"); with by_version the row's one version
-- column: sign_ins integer | interactive and non-interactive user sign-ins
-- column: users integer | distinct users (by user id)
-- column: failed_sign_ins integer | sign-ins with a non-zero error code (interrupts included)
-- reference: https://learn.microsoft.com/graph/api/resources/devicedetail
WITH per_user AS (
    -- one row per exported browser string and user: the family is worked out on these few rows
    SELECT browser, user_id, count(*) AS sign_ins, count(*) FILTER (WHERE error_code <> 0) AS failed
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
    GROUP BY browser, user_id
)
SELECT
    browser_family(browser) AS browser,
    list(DISTINCT browser_version(browser) ORDER BY browser_version(browser))
        FILTER (WHERE browser_version(browser) <> '') AS versions,
    sum(sign_ins)::BIGINT AS sign_ins,
    count(DISTINCT user_id) AS users,
    sum(failed)::BIGINT AS failed_sign_ins
FROM per_user
GROUP BY browser_family(browser), CASE WHEN $by_version THEN browser_version(browser) ELSE '' END
ORDER BY sign_ins DESC, browser, versions
