-- id: impossible-travel
-- kind: detection
-- title: Impossible travel
-- question: Did a user sign in successfully from two places further apart than anyone could travel in the time between?
-- window: all
-- severity: medium
-- mitre: T1078
-- anchor: Microsoft Defender for Cloud Apps "Impossible travel" anomaly detection and Entra ID Protection "Atypical travel" (consecutive sign-ins of one user, distance against elapsed time)
-- requires: latitude, longitude, user_principal_name
-- log-types: interactiveUser, nonInteractiveUser
-- param: min_distance_km number 500 | the two places must be more than this far apart (great-circle distance)
-- param: min_speed_kmh number 1000 | and the speed needed to cover the distance must exceed this (sign-ins at the same instant count as infinitely fast)
-- column: severity text | medium
-- column: title text | "Impossible travel: <country> to <country>"
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address of the second sign-in
-- column: service_principal_id text | empty
-- column: first_seen time | the first sign-in of the pair
-- column: last_seen time | the second sign-in of the pair
-- column: events integer | 2: the two sign-ins of the pair
-- column: details text | both places and addresses, the distance, the time between and the speed it implies
-- column: evidence list | the two sign-ins
-- reference: https://attack.mitre.org/techniques/T1078/
-- reference: https://learn.microsoft.com/defender-cloud-apps/anomaly-detection-policy#impossible-travel
WITH s AS (
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, coalesce(ip_address, '') AS ip_address,
        latitude, longitude,
        coalesce(nullif(concat_ws(', ', nullif(city, ''), nullif(country, '')), ''),
                 round(latitude, 2) || ', ' || round(longitude, 2)) AS place,
        coalesce(nullif(country, ''), '?') AS cc
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 0 AND user_principal_name IS NOT NULL
      AND latitude IS NOT NULL AND longitude IS NOT NULL
      AND log_type IN ('interactiveUser', 'nonInteractiveUser')
),
-- Each successful sign-in with a known location against the user's previous one.
pairs AS (
    SELECT *,
        lag(signin_key) OVER w AS prev_key, lag(created_at) OVER w AS prev_at,
        lag(latitude) OVER w AS prev_lat, lag(longitude) OVER w AS prev_lon,
        lag(place) OVER w AS prev_place, lag(cc) OVER w AS prev_cc, lag(ip_address) OVER w AS prev_ip
    FROM s
    WINDOW w AS (PARTITION BY usr ORDER BY created_at, signin_key)
),
-- Haversine distance on a sphere of radius 6371 km.
legs AS (
    SELECT *,
        2 * 6371.0 * asin(sqrt(
            pow(sin(radians(latitude - prev_lat) / 2), 2)
            + cos(radians(prev_lat)) * cos(radians(latitude)) * pow(sin(radians(longitude - prev_lon) / 2), 2)
        )) AS km,
        epoch(created_at - prev_at) / 3600.0 AS hours
    FROM pairs
    WHERE prev_key IS NOT NULL
)
SELECT
    'medium' AS severity,
    'Impossible travel: ' || prev_cc || ' to ' || cc AS title,
    usr AS user_principal_name,
    ip_address,
    '' AS service_principal_id,
    prev_at AS first_seen,
    created_at AS last_seen,
    2::BIGINT AS events,
    prev_place || ' (' || prev_ip || ') to ' || place || ' (' || ip_address || '): '
        || round(km)::BIGINT || ' km in ' || round(hours * 60)::BIGINT || ' min'
        || CASE WHEN hours = 0 THEN ' (at the same instant)'
           ELSE ' (' || round(km / hours)::BIGINT || ' km/h)' END AS details,
    [prev_key, signin_key] AS evidence
FROM legs
WHERE km > $min_distance_km AND (hours = 0 OR km / hours > $min_speed_kmh)
ORDER BY first_seen, user_principal_name
