// Package gen generates the sign-in, directory audit and provisioning logs of a synthetic
// Microsoft Entra ID tenant and writes the same events in every export format the loaders
// read, for benchmarks (millions of rows), demos, the bundled sample and cross-format tests.
//
// # Model
//
// A Config names a seed, a number of events, a period and a number of users. From it gen
// builds a tenant (users with homes, offices, laptops and phones; guests from partner
// tenants; service principals; managed identities; four Conditional Access policies) and a
// stream of sign-ins in time order: about 60% non-interactive, 25% interactive, 10% service
// principal and 5% managed identity, busy in European and American working hours, quiet at
// night and at weekends. Users sign in from one city each (office, home and mobile networks),
// so background traffic has no travel; the error mix is mostly successes with the usual
// interrupts and failures. Events (the model) is independent of the writers and the loaders:
// tests compute expected answers from it.
//
// Same Config, same bytes: every random choice comes from math/rand/v2's PCG seeded from
// Config.Seed, identifiers are pure functions of (seed, position), nothing depends on the
// clock or on map order, and writers are streaming (an event is generated, rendered,
// forgotten), so memory does not grow with the number of events.
//
// With Config.Scenarios, attack patterns are merged into the stream at fixed times (see
// Scenarios and the Scenario* names): password spray, brute force, impossible travel, MFA
// fatigue, legacy authentication, a disabled account, device code flow, a high-risk sign-in,
// a python-requests client, a Conditional Access block, a single-factor Azure Portal sign-in,
// a service principal changing credentials, a managed identity reaching a new resource, a
// sign-in from a new country, an adversary-in-the-middle session replay, device-code
// phishing followed by a device registration, a sign-in from a hosting provider, a user's
// first ROPC sign-in, and one benign look-alike (a session roaming from the office network to
// the mobile carrier, Scenario.Benign). The attackers' successes also come from places the
// victims never used, as they would.
//
// # Audit and provisioning logs
//
// Audits and ProvisioningEvents stream the other two activity logs of the same tenant, each
// from its own random stream so that the sign-ins do not depend on them. Background audit
// events (Config.Audits, default Events/20) follow the same hourly profile: users updated by
// the HR sync or an admin, group members added and removed, security info registered,
// passwords reset and changed, applications, groups and devices updated, app role
// assignments, users added, failed attempts to disable an account; Microsoft's activity
// display names, categories and services, targets with modified properties whose values are
// JSON text, and additional details. With scenarios, the intruders' changes follow their
// sign-ins (Audit.Scenario, Scenario.Audits): a security-info method after the impossible
// trip, a certificate added to the HR sync application by the brute-forced account (the one
// the sp-credential-switch sign-in uses), a new account made Global Administrator and
// excluded from the MFA policy after the MFA fatigue, a device registered after the
// device-code phishing, a mail-reading consent after the AiTM replay. Provisioning events
// (Config.Provisioning, default Events/30) are the ServiceNow job's: one cycle every 40
// minutes, creates, updates and disables, mostly successes, some skipped, a few failures with
// the connector's error codes.
//
// Addresses are from the documentation and benchmarking ranges (192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15, 2001:db8::/32); application ids of
// Microsoft's first-party apps and resources are the real, well-known ones.
//
// # Formats and what they cannot carry
//
// Every format holds every event; these fields are lost or altered on the way:
//
//   - graph: Graph beta /auditLogs/signIns pages of 1,000. No write time. userType in lower
//     case (member, guest), status.failureReason "Other." on success, as Graph beta does.
//     Pages are in ascending time order (Graph returns the newest first).
//   - admin-json: as graph, without signInEventTypes: the log type is in the file name only.
//   - diagnostic: everything, including the write time (`time`, a few seconds after
//     createdDateTime, which decides the hourly blob). properties.createdDateTime uses +00:00;
//     user records carry no managedServiceIdentity; status has no failureReason on success;
//     managed identity records have no callerIpAddress and location, workload records no
//     identity.
//   - admin-csv: times to the second; no write time; no risk fields; no per-policy
//     Conditional Access results (only the overall status); no geo coordinates, named
//     networks, device display name, original request id, resource service principal id,
//     authentication processing details or requirement policies; authentication steps only
//     in the _AuthDetails_ files (one row per step; that header is our choice). The
//     service-principal and MSI files have no client credential type, federated credential id,
//     ASN, latency or protocol. "Failure reason" is "Other." on success.
//   - la-csv: times to the millisecond, as "9/19/2023, 1:45:17.287 PM". User tables lack
//     session id, client credential type, home tenant name, original transfer method and
//     incoming token type. The service-principal and managed-identity tables (33 columns)
//     have no CreatedDateTime (TimeGenerated is the event time there, so they have no write
//     time), no client credential type, managed identity type or associated resource, no ASN,
//     latency or risk.
//   - la-json: the la-csv columns as JSON lines; datetimes ISO with milliseconds, dynamic
//     columns as JSON strings.
//
// Audit and provisioning events are in every format too: Graph v1.0 pages
// (directoryAudits-page-0001.json, provisioning-page-0001.json), the admin-center downloads
// (AuditLogs_<from>_<to>.json/.csv, ProvisioningLogs_...), the diagnostic containers
// insights-logs-auditlogs and insights-logs-provisioninglogs (categories AuditLogs and
// ProvisioningLogs) and the Log Analytics tables AuditLogs and AADProvisioningLogs (dynamic
// columns as JSON text). Losses: the admin-center audit CSV (no public file exists; its header
// is the one incident-response scripts for that download expect) keeps at most 3 targets of 5
// modified properties and 6 additional details, and has no event id, operation type, group
// type or initiating app id; the provisioning CSV (header our choice) carries steps and
// modified properties as JSON text; AADProvisioningLogs has no column for the source system.
//
// Compare formats at second precision: every writer truncates, none rounds.
package gen
