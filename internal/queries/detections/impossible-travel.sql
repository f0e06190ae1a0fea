-- id: impossible-travel
-- kind: detection
-- title: Impossible travel
-- question: Did a user sign in successfully from two places further apart than anyone could travel in the time between? One finding per trip: consecutive impossible legs (out and back) are one trip
-- window: all
-- severity: medium
-- mitre: T1078
-- anchor: Microsoft Defender for Cloud Apps "Impossible travel" anomaly detection and Entra ID Protection "Atypical travel" (consecutive sign-ins of one user, distance against elapsed time)
-- requires: latitude, longitude, user_principal_name
-- log-types: interactiveUser, nonInteractiveUser
-- param: min_distance_km number 500 | the two places must be more than this far apart (great-circle distance)
-- param: min_speed_kmh number 1000 | and the speed needed to cover the distance must exceed this (sign-ins at the same instant count as infinitely fast)
-- column: severity text | medium
-- column: title text | "Impossible travel: <country> to <country>", "<country> to <country> and back" for a round trip, or every country of a longer trip
-- column: user_principal_name text | the user (lower case)
-- column: ip_address text | the address the user seemed to jump to: the second sign-in of the trip
-- column: service_principal_id text | empty
-- column: first_seen time | the first sign-in of the trip
-- column: last_seen time | the last sign-in of the trip
-- column: events integer | the sign-ins of the trip: a trip is a run of consecutive impossible legs (each successful sign-in with a known location against the user's previous one), so a jump and the jump back are one trip of 3 sign-ins
-- column: details text | each leg: both places and addresses, the distance, the time between and the speed it implies
-- column: evidence list | the sign-ins of the trip
-- reference: https://attack.mitre.org/techniques/T1078/
-- reference: https://learn.microsoft.com/defender-cloud-apps/anomaly-detection-policy#impossible-travel
WITH s AS (
    -- Places are written only for the legs reported; the windows carry the raw fields.
    SELECT signin_key, created_at, lower(user_principal_name) AS usr, coalesce(ip_address, '') AS ip_address,
        latitude, longitude, city, country
    FROM scoped($since, $until, $app, $user, $ip, $log_types)
    WHERE error_code = 0 AND user_principal_name IS NOT NULL
      AND latitude IS NOT NULL AND longitude IS NOT NULL
      AND log_type IN ('interactiveUser', 'nonInteractiveUser')
),
-- Each successful sign-in with a known location against the user's previous one, and that
-- one against the one before it (the previous leg), in one pass.
pairs AS (
    SELECT *,
        lag(signin_key) OVER w AS prev_key, lag(created_at) OVER w AS prev_at,
        lag(latitude) OVER w AS prev_lat, lag(longitude) OVER w AS prev_lon,
        lag(city) OVER w AS prev_city, lag(country) OVER w AS prev_country, lag(ip_address) OVER w AS prev_ip,
        lag(created_at, 2) OVER w AS prev2_at, lag(latitude, 2) OVER w AS prev2_lat, lag(longitude, 2) OVER w AS prev2_lon
    FROM s
    WINDOW w AS (PARTITION BY usr ORDER BY created_at, signin_key)
),
-- Haversine distance on a sphere of radius 6371 km, for this leg and the previous one.
legs AS (
    SELECT *,
        2 * 6371.0 * asin(sqrt(
            pow(sin(radians(latitude - prev_lat) / 2), 2)
            + cos(radians(prev_lat)) * cos(radians(latitude)) * pow(sin(radians(longitude - prev_lon) / 2), 2)
        )) AS km,
        epoch(created_at - prev_at) / 3600.0 AS hours,
        2 * 6371.0 * asin(sqrt(
            pow(sin(radians(prev_lat - prev2_lat) / 2), 2)
            + cos(radians(prev2_lat)) * cos(radians(prev_lat)) * pow(sin(radians(prev_lon - prev2_lon) / 2), 2)
        )) AS prev_km,
        epoch(prev_at - prev2_at) / 3600.0 AS prev_hours
    FROM pairs
    WHERE prev_key IS NOT NULL
),
flagged AS (
    SELECT *,
        coalesce(prev_km > $min_distance_km AND (prev_hours = 0 OR prev_km / prev_hours > $min_speed_kmh), false) AS prev_impossible
    FROM legs
    WHERE km > $min_distance_km AND (hours = 0 OR km / hours > $min_speed_kmh)
),
-- A trip is a run of consecutive impossible legs: an impossible leg after a possible one (or
-- after none) starts a new trip.
trips AS (
    SELECT *,
        count(*) FILTER (WHERE NOT prev_impossible) OVER (PARTITION BY usr ORDER BY created_at, signin_key) AS trip,
        coalesce(nullif(concat_ws(', ', nullif(prev_city, ''), nullif(prev_country, '')), ''),
                 round(prev_lat, 2) || ', ' || round(prev_lon, 2)) AS prev_place,
        coalesce(nullif(concat_ws(', ', nullif(city, ''), nullif(country, '')), ''),
                 round(latitude, 2) || ', ' || round(longitude, 2)) AS place,
        coalesce(nullif(prev_country, ''), '?') AS prev_cc,
        coalesce(nullif(country, ''), '?') AS cc
    FROM flagged
),
grouped AS (
    SELECT usr,
        list(prev_cc ORDER BY created_at, signin_key) AS from_cc,
        list(cc ORDER BY created_at, signin_key) AS to_cc,
        arg_min(ip_address, created_at) AS ip_address,
        min(prev_at) AS first_seen,
        max(created_at) AS last_seen,
        list(prev_place || ' (' || prev_ip || ') to ' || place || ' (' || ip_address || '): '
            || round(km)::BIGINT || ' km in ' || round(hours * 60)::BIGINT || ' min'
            || CASE WHEN hours = 0 THEN ' (at the same instant)'
               ELSE ' (' || round(km / hours)::BIGINT || ' km/h)' END ORDER BY created_at, signin_key) AS legs,
        list_prepend(arg_min(prev_key, created_at), list(signin_key ORDER BY created_at, signin_key)) AS evidence
    FROM trips
    GROUP BY usr, trip
)
SELECT
    'medium' AS severity,
    'Impossible travel: ' || CASE
        WHEN len(to_cc) = 2 AND to_cc[2] = from_cc[1] THEN from_cc[1] || ' to ' || to_cc[1] || ' and back'
        ELSE from_cc[1] || ' to ' || array_to_string(to_cc, ' to ') END AS title,
    usr AS user_principal_name,
    ip_address,
    '' AS service_principal_id,
    first_seen,
    last_seen,
    len(evidence)::BIGINT AS events,
    array_to_string(legs, '; then ') AS details,
    evidence
FROM grouped
ORDER BY first_seen, user_principal_name
