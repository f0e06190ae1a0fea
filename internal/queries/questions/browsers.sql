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
-- param: by_version boolean false | keep the browser string as exported ("Edge 124.0.2478") instead of its family ("Edge"); flag --by-version
-- column: browser text | browser family: the exported browser string without its trailing version ("Edge 124.0.2478" is "Edge"); "(unknown)" when empty
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
    CASE
        WHEN nullif(trim(browser), '') IS NULL THEN '(unknown)'
        WHEN $by_version THEN trim(browser)
        ELSE regexp_replace(trim(browser), '\s+[0-9][0-9.]*$', '')
    END AS browser,
    sum(sign_ins)::BIGINT AS sign_ins,
    count(DISTINCT user_id) AS users,
    sum(failed)::BIGINT AS failed_sign_ins
FROM per_user
GROUP BY 1
ORDER BY sign_ins DESC, browser
