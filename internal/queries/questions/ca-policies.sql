-- id: ca-policies
-- kind: query
-- title: Conditional Access policy outcomes
-- question: For each Conditional Access policy, how many sign-ins did it grant, block, skip or only report on, and for how many users did it apply?
-- window: all
-- mirrors: Entra admin center > Conditional Access > Insights and reporting; sign-in details > Conditional Access tab
-- requires: ca_policies
-- log-types: all
-- column: policy_id text | Conditional Access policy id
-- column: policy_name text | policy display name
-- column: sign_ins integer | sign-ins the policy was evaluated for (every result)
-- column: success integer | result success: the policy applied and its controls were satisfied
-- column: failure integer | result failure: the policy applied and blocked or its controls were not satisfied
-- column: not_applied integer | result notApplied: the policy's conditions did not match
-- column: not_enabled integer | result notEnabled: the policy was off
-- column: report_only_success integer | report-only policy that would have been satisfied
-- column: report_only_failure integer | report-only policy that would have blocked or failed
-- column: report_only_not_applied integer | report-only policy whose conditions did not match
-- column: report_only_interrupted integer | report-only policy that would have interrupted (asked for MFA, say)
-- column: users integer | distinct users (by user id) for whom the policy applied: any result other than notApplied, notEnabled and reportOnlyNotApplied
-- reference: https://learn.microsoft.com/graph/api/resources/appliedconditionalaccesspolicy
SELECT
    p.policy_id,
    max(p.policy_name) AS policy_name,
    count(*) AS sign_ins,
    count(*) FILTER (WHERE p.result = 'success') AS success,
    count(*) FILTER (WHERE p.result = 'failure') AS failure,
    count(*) FILTER (WHERE p.result = 'notApplied') AS not_applied,
    count(*) FILTER (WHERE p.result = 'notEnabled') AS not_enabled,
    count(*) FILTER (WHERE p.result = 'reportOnlySuccess') AS report_only_success,
    count(*) FILTER (WHERE p.result = 'reportOnlyFailure') AS report_only_failure,
    count(*) FILTER (WHERE p.result = 'reportOnlyNotApplied') AS report_only_not_applied,
    count(*) FILTER (WHERE p.result = 'reportOnlyInterrupted') AS report_only_interrupted,
    count(DISTINCT s.user_id) FILTER (WHERE p.result NOT IN ('notApplied', 'notEnabled', 'reportOnlyNotApplied')) AS users
FROM scoped($since, $until, $app, $user, $ip, $log_types) AS s
JOIN signin_ca_policies AS p ON p.signin_key = s.signin_key
GROUP BY p.policy_id
ORDER BY policy_name, p.policy_id
