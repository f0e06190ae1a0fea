-- id: auth-methods
-- kind: query
-- title: Authentication methods per step
-- question: Which authentication methods did users use at each step (password, MFA), and how often did a step fail?
-- window: 30d
-- mirrors: Entra admin center > Usage & insights > Authentication methods activity; sign-in details > Authentication Details
-- requires: auth_steps
-- log-types: interactiveUser, nonInteractiveUser
-- column: requirement text | the step: Primary authentication, Multifactor authentication, ... as exported; "(not stated)" when empty
-- column: method text | authentication method (Password, Mobile app notification, Previously satisfied, ...)
-- column: source text | "authentication details" (one row per step), or "mfaDetail" for sign-ins that carry no steps but name an MFA method
-- column: steps integer | steps of this requirement and method in user sign-ins (mfaDetail: one per sign-in)
-- column: users integer | distinct users (by user id)
-- column: succeeded integer | steps marked succeeded (empty for mfaDetail, which does not say)
-- column: failed integer | steps marked not succeeded (empty for mfaDetail)
-- reference: https://learn.microsoft.com/graph/api/resources/authenticationdetail
WITH s AS (
    SELECT signin_key, user_id, mfa_auth_method
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
),
steps AS (
    SELECT
        coalesce(nullif(trim(a.requirement), ''), '(not stated)') AS requirement,
        coalesce(nullif(trim(a.method), ''), '(not stated)') AS method,
        'authentication details' AS source,
        count(*) AS steps,
        count(DISTINCT s.user_id) AS users,
        count(*) FILTER (WHERE a.succeeded) AS succeeded,
        count(*) FILTER (WHERE NOT a.succeeded) AS failed
    FROM s
    JOIN signin_auth_steps AS a ON a.signin_key = s.signin_key
    GROUP BY 1, 2
),
mfa AS (
    -- sign-ins without steps that still name their MFA method
    SELECT
        'Multifactor authentication' AS requirement,
        trim(s.mfa_auth_method) AS method,
        'mfaDetail' AS source,
        count(*) AS steps,
        count(DISTINCT s.user_id) AS users,
        NULL::BIGINT AS succeeded,
        NULL::BIGINT AS failed
    FROM s
    WHERE nullif(trim(s.mfa_auth_method), '') IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM signin_auth_steps AS a WHERE a.signin_key = s.signin_key)
    GROUP BY 2
)
SELECT requirement, method, source, steps, users, succeeded, failed
FROM (SELECT * FROM steps UNION ALL SELECT * FROM mfa)
ORDER BY CASE WHEN requirement ILIKE 'primary%' THEN 1 WHEN requirement ILIKE 'multi%' OR requirement ILIKE 'mfa%' THEN 2 ELSE 3 END,
    requirement, steps DESC, method, source
