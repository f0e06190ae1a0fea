-- id: registered-devices
-- kind: query
-- title: Device registrations
-- question: Which devices were registered, joined, added or deleted, and which owners and users were added to them, by whom?
-- window: all
-- mirrors: Entra admin center > Devices > Audit logs
-- requires: activity
-- log-types: audit
-- param: activities text "Register device,Add device,Delete device,Add registered owner to device,Add registered users to device" | the activity display names counted as device registrations, comma-separated (compared ignoring case, dash style and spacing)
-- column: activity_at time | when
-- column: activity text | activity display name
-- column: result text | success, failure, ...
-- column: initiator text | who registered or changed the device
-- column: initiator_ip text | address the initiator acted from
-- column: device text | the device's display name, else its object id
-- column: device_os text | operating system, when the event's additional details say (DeviceOSType)
-- column: trust_type text | join type, when the event's additional details say (DeviceTrustType: AzureAd, ServerAd, Workplace)
-- column: user text | the owner or user added to the device (UPN), when the event names one
-- column: audit_id text | the audit record's id
-- reference: https://learn.microsoft.com/entra/identity/devices/manage-device-identities
WITH e AS (
    SELECT * FROM audit_scoped($since, $until, $user, $ip)
    WHERE list_contains(activity_list($activities), activity_key(activity))
)
SELECT
    e.activity_at,
    e.activity,
    e.result,
    e.initiator,
    e.initiator_ip_address AS initiator_ip,
    (SELECT coalesce(nullif(t.display_name, ''), t.id) FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) = 'device' ORDER BY t.target_index LIMIT 1) AS device,
    json_extract_string(e.additional_details, '$.DeviceOSType') AS device_os,
    json_extract_string(e.additional_details, '$.DeviceTrustType') AS trust_type,
    (SELECT coalesce(nullif(t.user_principal_name, ''), nullif(t.display_name, ''), t.id) FROM audit_targets t
     WHERE t.audit_key = e.audit_key AND lower(t.type) = 'user' ORDER BY t.target_index LIMIT 1) AS user,
    e.id AS audit_id
FROM e
ORDER BY e.activity_at, e.audit_key
