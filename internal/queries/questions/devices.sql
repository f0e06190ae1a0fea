-- id: devices
-- kind: query
-- title: Devices users sign in from
-- question: How many user sign-ins came from compliant, managed, joined or registered devices, and how many from unknown devices?
-- window: all
-- mirrors: Entra admin center > Sign-in logs > Device info (Compliant, Managed, Join Type)
-- requires: device_trust_type, device_compliant, device_managed
-- log-types: interactiveUser, nonInteractiveUser
-- column: join_type text | Azure AD joined, Hybrid Azure AD joined, Azure AD registered; "(not registered)" when empty
-- column: compliant boolean | the device was marked compliant; empty when not recorded
-- column: managed boolean | the device was managed (Intune or similar); empty when not recorded
-- column: sign_ins integer | interactive and non-interactive user sign-ins
-- column: users integer | distinct users (by user id)
-- column: devices integer | distinct device ids
-- column: failed_sign_ins integer | those with a non-zero error code
-- reference: https://learn.microsoft.com/graph/api/resources/devicedetail
WITH per_user AS (
    SELECT
        coalesce(nullif(device_trust_type, ''), '(not registered)') AS join_type,
        device_compliant AS compliant,
        device_managed AS managed,
        user_id,
        device_id,
        count(*) AS sign_ins,
        count(*) FILTER (WHERE error_code <> 0) AS failed
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE log_type IN ('interactiveUser', 'nonInteractiveUser')
    GROUP BY 1, 2, 3, user_id, device_id
)
SELECT
    join_type,
    compliant,
    managed,
    sum(sign_ins)::BIGINT AS sign_ins,
    count(DISTINCT user_id) AS users,
    count(DISTINCT device_id) AS devices,
    sum(failed)::BIGINT AS failed_sign_ins
FROM per_user
GROUP BY join_type, compliant, managed
ORDER BY sign_ins DESC, join_type, compliant NULLS LAST, managed NULLS LAST
