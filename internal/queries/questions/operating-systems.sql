-- id: operating-systems
-- kind: query
-- title: Operating systems used by users
-- question: From which operating systems do users sign in, and how many sign-ins from each failed?
-- window: all
-- mirrors: Entra admin center > Sign-in logs, column Operating System
-- requires: operating_system
-- log-types: interactiveUser, nonInteractiveUser
-- summary: rank=5 | {{if not rows}}{{title}}: no user sign-ins in {{window}}{{else}}{{with $r := first}}Most user sign-ins came from the operating system family {{text $r.operating_system}}: {{thousands $r.sign_ins}} of {{thousands (sum "sign_ins")}}{{percent $r.sign_ins (sum "sign_ins")}} in {{window}}{{end}}{{with $r := second}}; next {{text $r.operating_system}} ({{thousands $r.sign_ins}}){{end}}{{end}}
-- chart: rank=3 category=operating_system value=sign_ins | Operating systems: user sign-ins
-- column: operating_system text | operating system family: the exported spellings grouped (Windows10, Windows 10 and Windows are Windows; MacOs is macOS; Ios is iOS; families in the README); "(unknown)" when empty
-- column: versions list | the versions the exported strings carried ("10" of Windows10), empty when none did
-- column: sign_ins integer | interactive and non-interactive user sign-ins
-- column: users integer | distinct users (by user id)
-- column: failed_sign_ins integer | sign-ins with a non-zero error code (interrupts included)
-- reference: https://learn.microsoft.com/graph/api/resources/devicedetail
WITH per_os AS (
    -- one row per exported string and user: the family is worked out on these few rows
    SELECT operating_system, user_id, count(*) AS sign_ins, count(*) FILTER (WHERE error_code <> 0) AS failed
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
    GROUP BY operating_system, user_id
)
SELECT
    os_family(operating_system) AS operating_system,
    list(DISTINCT os_version(operating_system) ORDER BY os_version(operating_system))
        FILTER (WHERE os_version(operating_system) <> '') AS versions,
    sum(sign_ins)::BIGINT AS sign_ins,
    count(DISTINCT user_id) AS users,
    sum(failed)::BIGINT AS failed_sign_ins
FROM per_os
GROUP BY 1
ORDER BY sign_ins DESC, operating_system
