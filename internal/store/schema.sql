-- The normalized sign-in schema. Every loader writes these tables; every query reads them.
-- Each column line ends with a comment giving its meaning: `signinlens schema` prints them,
-- and the query catalogue's tests check every query against this file.

CREATE TABLE IF NOT EXISTS sources (
    source_id          INTEGER PRIMARY KEY,   -- sequence number of the input file in this database
    path               VARCHAR NOT NULL,      -- path of the input file as given (inside a zip: zip!member)
    bytes              BIGINT,                -- size of the input file in bytes
    sha256             VARCHAR,               -- SHA-256 of the input file's bytes, hex
    format             VARCHAR,               -- detected export format (see `signinlens load --help`)
    detection          VARCHAR,               -- why the detector chose that format
    encoding           VARCHAR,               -- text encoding found (utf-8, utf-8-bom, utf-16le, windows-1252, ...)
    log_types          JSON,                  -- records loaded per log type (the four sign-in logs, audit, provisioning), as a JSON object
    records            BIGINT,                -- records read from the file
    loaded             BIGINT,                -- records written as new rows of signins, audits or provisioning
    versions           BIGINT,                -- records that are a further, different version of a sign-in, audit or provisioning event already loaded (merged, see signin_versions, audit_versions, provisioning_versions)
    duplicates         BIGINT,                -- copies: same event (sign-in: id, log type, time, error code; audit, provisioning: id, time) and same content as a version already loaded
    rejected           BIGINT,                -- records refused, each listed in load_problems
    skipped            BIGINT,                -- records of logs that are not loaded (risk, Graph activity...)
    skipped_categories JSON,                  -- skipped records per category, as a JSON object
    first_event        TIMESTAMPTZ,           -- earliest event time among the loaded records (sign-ins' created_at, audit and provisioning activity_at)
    last_event         TIMESTAMPTZ,           -- latest event time among the loaded records
    unavailable_fields VARCHAR[],             -- normalized fields this format cannot carry (reports say "not available")
    notes              VARCHAR[],             -- choices the loader made that a reviewer should know (date order, fallbacks)
    loaded_at          TIMESTAMPTZ            -- wall-clock time the file was loaded
);

CREATE TABLE IF NOT EXISTS load_problems (
    source_id          INTEGER,               -- input file (sources.source_id)
    path               VARCHAR,               -- input file path
    line               BIGINT,                -- 1-based line where the record starts (text formats), else NULL
    record             BIGINT,                -- 1-based record index within the file (JSON arrays), else NULL
    byte_offset        BIGINT,                -- byte offset where the record starts, when known
    field              VARCHAR,               -- the field at fault, when one is
    reason             VARCHAR,               -- what is wrong and what to do about it
    excerpt            VARCHAR                -- the first characters of the offending record
);

-- One row per sign-in. A sign-in that arrived in several different versions (Log Analytics and
-- diagnostic settings write a sign-in again as Entra adds to it) shows the merged truth: each
-- column from the latest version that carries a value for it, where versions are ordered by
-- ingestion time, else by the number of fields they carry, then file order, and empty or
-- default values (NULL, '', none, unknown, []) never erase an earlier value; the risk columns
-- so show the most recent evaluated state; authentication steps are the union of all versions'
-- steps in step time order without repeats; Conditional Access results come from the latest
-- version that has them. Every version is kept in signin_versions.
CREATE TABLE IF NOT EXISTS signins (
    signin_key                 BIGINT PRIMARY KEY, -- internal key joining child tables
    log_type                   VARCHAR NOT NULL,   -- interactiveUser, nonInteractiveUser, servicePrincipal or managedIdentity
    id                         VARCHAR,            -- request id of the sign-in (Graph id, CSV "Request ID")
    created_at                 TIMESTAMPTZ NOT NULL, -- event time (createdDateTime), UTC; never the ingestion time
    ingested_at                TIMESTAMPTZ,        -- write time (diagnostic `time`, Log Analytics TimeGenerated), when given; the latest version's
    correlation_id             VARCHAR,            -- groups the requests of one sign-in flow
    original_request_id        VARCHAR,            -- request id of the first request in the flow
    session_id                 VARCHAR,            -- session identifier
    unique_token_id            VARCHAR,            -- unique token identifier issued by the sign-in
    user_id                    VARCHAR,            -- object id of the user (empty for workload identities)
    user_principal_name        VARCHAR,            -- user principal name (UPN) as exported
    user_display_name          VARCHAR,            -- display name of the user
    user_type                  VARCHAR,            -- member or guest (lower case)
    sign_in_identifier         VARCHAR,            -- identifier the user typed (UPN, phone, ...)
    app_id                     VARCHAR,            -- application (client) id
    app_display_name           VARCHAR,            -- application name
    app_owner_tenant_id        VARCHAR,            -- tenant that owns the application
    resource_id                VARCHAR,            -- application id of the resource signed into
    resource_display_name      VARCHAR,            -- name of the resource signed into
    resource_tenant_id         VARCHAR,            -- tenant of the resource
    resource_owner_tenant_id   VARCHAR,            -- tenant that owns the resource
    resource_service_principal_id VARCHAR,         -- object id of the resource's service principal
    service_principal_id       VARCHAR,            -- object id of the signing-in service principal or managed identity
    service_principal_name     VARCHAR,            -- name of the signing-in service principal or managed identity
    sp_credential_key_id       VARCHAR,            -- key id of the credential a service principal used
    sp_credential_thumbprint   VARCHAR,            -- thumbprint of the certificate a service principal used
    client_credential_type     VARCHAR,            -- none, clientSecret, certificate, federatedIdentityCredential, managedIdentity, clientAssertion
    managed_identity_type      VARCHAR,            -- none, systemAssigned or userAssigned
    msi_associated_resource_id VARCHAR,            -- Azure resource a managed identity is attached to
    federated_credential_id    VARCHAR,            -- federated identity credential used, when any
    ip_address                 VARCHAR,            -- client IP address
    ip_address_from_resource_provider VARCHAR,     -- IP address as seen by the resource
    autonomous_system_number   BIGINT,             -- ASN of the client IP
    city                       VARCHAR,            -- city of the client IP
    state                      VARCHAR,            -- state or region of the client IP
    country                    VARCHAR,            -- two-letter country or region code
    latitude                   DOUBLE,             -- latitude of the client IP (NULL when unknown; 0,0 is stored as NULL)
    longitude                  DOUBLE,             -- longitude of the client IP (NULL when unknown)
    error_code                 INTEGER NOT NULL,   -- sign-in error code; 0 = success
    failure_reason             VARCHAR,            -- failure text as exported
    additional_details         VARCHAR,            -- status.additionalDetails (MFA notes and the like)
    status                     VARCHAR NOT NULL,   -- success, interrupted or failure, classed from the error code
    client_app_used            VARCHAR,            -- client app (Browser, Mobile Apps and Desktop clients, IMAP4, ...)
    user_agent                 VARCHAR,            -- user agent string as sent by the client
    browser                    VARCHAR,            -- browser with version as exported (e.g. "Edge 124.0.2478")
    operating_system           VARCHAR,            -- operating system as exported
    device_id                  VARCHAR,            -- Entra device id
    device_name                VARCHAR,            -- device display name
    device_compliant           BOOLEAN,            -- device marked compliant
    device_managed             BOOLEAN,            -- device managed (Intune or similar)
    device_trust_type          VARCHAR,            -- join type (Azure AD joined, Hybrid Azure AD joined, Azure AD registered)
    authentication_requirement VARCHAR,            -- singleFactorAuthentication or multiFactorAuthentication
    authentication_protocol    VARCHAR,            -- none, oAuth2, ropc, deviceCode, saml20, wsFederation, ...
    incoming_token_type        VARCHAR,            -- none, primaryRefreshToken, saml11, ... (normalized to the enum spelling)
    token_issuer_type          VARCHAR,            -- AzureAD, ADFederationServices, ...
    token_issuer_name          VARCHAR,            -- name of the token issuer (federation server)
    conditional_access_status  VARCHAR,            -- success, failure, notApplied (overall Conditional Access outcome)
    mfa_auth_method            VARCHAR,            -- mfaDetail.authMethod
    mfa_auth_detail            VARCHAR,            -- mfaDetail.authDetail
    risk_level_during_signin   VARCHAR,            -- none, low, medium, high, hidden
    risk_level_aggregated      VARCHAR,            -- none, low, medium, high, hidden
    risk_state                 VARCHAR,            -- none, atRisk, confirmedCompromised, remediated, dismissed, ...
    risk_detail                VARCHAR,            -- reason for the risk state
    risk_event_types           VARCHAR[],          -- risk event types (riskEventTypes_v2, else riskEventTypes)
    cross_tenant_access_type   VARCHAR,            -- none, b2bCollaboration, b2bDirectConnect, passthrough, ...
    home_tenant_id             VARCHAR,            -- tenant the user belongs to
    home_tenant_name           VARCHAR,            -- name of the home tenant
    tenant_id                  VARCHAR,            -- Entra tenant the record was logged in (not a Log Analytics workspace id)
    is_interactive             BOOLEAN,            -- the user interacted with the sign-in
    flagged_for_review         BOOLEAN,            -- an administrator flagged the sign-in for review
    processing_time_ms         BIGINT,             -- processing time (latency) in milliseconds
    original_transfer_method   VARCHAR,            -- deviceCodeFlow, authenticationTransfer, ... when a sign-in was transferred
    extra                      JSON,               -- every source field that has no column, keyed by its source name
    source_id                  INTEGER,            -- input file (sources.source_id); of the latest version when there are several
    source_file                VARCHAR,            -- input file path
    source_line                BIGINT,             -- line (text formats) or record index (JSON arrays) where the record starts
    content_hash               BIGINT              -- hash of the normalized record without ingestion time, provenance and extra: equal means a copy (a merged sign-in: its latest version's)
);

CREATE TABLE IF NOT EXISTS signin_ca_policies (
    signin_key                 BIGINT,             -- the sign-in (signins.signin_key)
    policy_id                  VARCHAR,            -- Conditional Access policy id
    policy_name                VARCHAR,            -- policy display name
    result                     VARCHAR,            -- success, failure, notApplied, notEnabled, reportOnlySuccess, reportOnlyFailure, reportOnlyNotApplied, reportOnlyInterrupted
    enforced_grant_controls    VARCHAR[],          -- grant controls the policy enforced (Mfa, Block, ...)
    enforced_session_controls  VARCHAR[],          -- session controls the policy enforced
    extra                      JSON                -- other fields of the policy entry
);

CREATE TABLE IF NOT EXISTS signin_auth_steps (
    signin_key                 BIGINT,             -- the sign-in (signins.signin_key); NULL while no sign-in with request_id is loaded
    request_id                 VARCHAR,            -- request id of the sign-in the step belongs to
    log_type                   VARCHAR,            -- log type of that sign-in, when the source says
    step_index                 INTEGER,            -- 1-based position of the step within its sign-in
    step_time                  TIMESTAMPTZ,        -- time of the authentication step
    method                     VARCHAR,            -- authentication method (Password, Mobile app notification, ...)
    method_detail              VARCHAR,            -- method detail (Password in the cloud, ...)
    succeeded                  BOOLEAN,            -- the step succeeded
    result_detail              VARCHAR,            -- result of the step as text
    requirement                VARCHAR,            -- Primary authentication, MFA, ...
    extra                      JSON,               -- other fields of the step
    source_id                  INTEGER,            -- input file the step came from
    source_line                BIGINT              -- line or record index in that file
);

-- Every version of each sign-in that arrived in more than one different version (identical
-- copies are counted as duplicates in sources and not kept). A sign-in that has one version
-- has no row here: its signins row is that version.
CREATE TABLE IF NOT EXISTS signin_versions (
    signin_key                 BIGINT,             -- the sign-in (signins.signin_key)
    version_key                BIGINT,             -- this version's row in signin_version_rows (the first version loaded: the sign-in's own key)
    version                    INTEGER,            -- 1-based rank in merge order: ingestion time, then fields carried, then file order
    ingested_at                TIMESTAMPTZ,        -- this version's ingestion time (TimeGenerated, diagnostic `time`), when the format has one
    fields                     INTEGER,            -- values this version carries (non-empty, non-default columns, auth steps, CA policies)
    content_hash               BIGINT,             -- this version's content hash (see signins.content_hash)
    source_id                  INTEGER,            -- input file of this version (sources.source_id)
    source_line                BIGINT              -- line or record index of this version in that file
);

-- The full content of each version of the sign-ins that have more than one, in the shape of
-- signins, signin_ca_policies and signin_auth_steps; their signin_key is the version_key.
-- (The comment after each statement is what 'signinlens schema' prints for the table.)
CREATE TABLE IF NOT EXISTS signin_version_rows AS SELECT * FROM signins LIMIT 0;                       -- one row per version; signin_key is signin_versions.version_key
CREATE TABLE IF NOT EXISTS signin_version_ca_policies AS SELECT * FROM signin_ca_policies LIMIT 0;     -- the policies of each version; signin_key is signin_versions.version_key
CREATE TABLE IF NOT EXISTS signin_version_auth_steps AS SELECT * FROM signin_auth_steps LIMIT 0;       -- the steps of each version; signin_key is signin_versions.version_key

-- The audit log: one row per audit event (Graph directoryAudit, diagnostic category AuditLogs,
-- Log Analytics AuditLogs, the admin center's audit download). Records with the same id and
-- activity time are one event (without an id: the same category, activity, correlation id,
-- initiator and result as well). A copy with the same content hash is counted as a duplicate in
-- sources; a record with a different hash is a further version: every version is kept in
-- audit_versions and audit_version_rows, and the audits row shows the merged truth: each
-- column from the latest version that carries a value for it (versions ordered by ingestion
-- time, else file order; empty values never erase an earlier value), extra merged key by key,
-- and the targets with their modified properties of the latest version that has targets.
CREATE TABLE IF NOT EXISTS audits (
    audit_key                  BIGINT PRIMARY KEY, -- internal key joining audit_targets and audit_modified_properties
    id                         VARCHAR,            -- audit record id (Graph id, Log Analytics Id)
    activity_at                TIMESTAMPTZ NOT NULL, -- event time (activityDateTime), UTC; never the ingestion time
    ingested_at                TIMESTAMPTZ,        -- write time (diagnostic `time`, Log Analytics TimeGenerated), when given
    category                   VARCHAR,            -- UserManagement, GroupManagement, ApplicationManagement, RoleManagement, Policy, Device, ...
    activity                   VARCHAR,            -- activity display name (Add member to role, Consent to application, ...)
    operation_type             VARCHAR,            -- Add, Update, Delete, Assign, Unassign, Other
    result                     VARCHAR,            -- success, failure, timeout or unknownFutureValue (lower case)
    result_reason              VARCHAR,            -- why the result is what it is, as exported
    logged_by_service          VARCHAR,            -- service that logged the event (Core Directory, PIM, Authentication Methods, ...)
    correlation_id             VARCHAR,            -- groups the events of one operation
    initiated_by_type          VARCHAR,            -- user or app: which kind of identity initiated the event (empty when not said)
    initiator_user_id          VARCHAR,            -- object id of the initiating user
    initiator_upn              VARCHAR,            -- user principal name of the initiating user (as exported)
    initiator_display_name     VARCHAR,            -- display name of the initiating user or app
    initiator_ip_address       VARCHAR,            -- IP address the initiating user acted from
    initiator_app_id           VARCHAR,            -- application (client) id of the initiating app
    initiator_service_principal_id VARCHAR,        -- object id of the initiating service principal
    initiator_service_principal_name VARCHAR,      -- name of the initiating service principal
    additional_details         JSON,               -- additionalDetails as one JSON object {key: value} (a repeated key gets " (2)", " (3)" ... appended)
    extra                      JSON,               -- every source field that has no column, keyed by its source name
    source_id                  INTEGER,            -- input file (sources.source_id); of the latest version when there are several
    source_file                VARCHAR,            -- input file path
    source_line                BIGINT,             -- line (text formats) or record index (JSON arrays) where the record starts
    content_hash               BIGINT              -- hash of the normalized record without ingestion time, provenance and extra: equal means a copy
);

CREATE TABLE IF NOT EXISTS audit_targets (
    audit_key                  BIGINT,             -- the audit event (audits.audit_key)
    target_index               INTEGER,            -- 1-based position of the target within its event
    type                       VARCHAR,            -- User, Group, Application, ServicePrincipal, Device, Policy, Role, Directory, Other, ...
    id                         VARCHAR,            -- object id of the target
    display_name               VARCHAR,            -- display name of the target
    user_principal_name        VARCHAR,            -- user principal name, when the target is a user
    group_type                 VARCHAR,            -- group type, when the target is a group
    extra                      JSON                -- other fields of the target (null and empty values left out)
);

CREATE TABLE IF NOT EXISTS audit_modified_properties (
    audit_key                  BIGINT,             -- the audit event (audits.audit_key)
    target_index               INTEGER,            -- the target (audit_targets.target_index) the property belongs to
    property_index             INTEGER,            -- 1-based position of the property within its target
    name                       VARCHAR,            -- property display name (StrongAuthenticationMethod, Role.DisplayName, ConditionalAccessPolicy, ...)
    old_value                  VARCHAR,            -- value before, as exported (JSON values kept as JSON text)
    new_value                  VARCHAR             -- value after, as exported (JSON values kept as JSON text)
);

-- The provisioning log: one row per provisioning event (Graph provisioningObjectSummary,
-- diagnostic category ProvisioningLogs, Log Analytics AADProvisioningLogs, the admin center's
-- provisioning download). Duplicates and versions as for audits (key: id and activity time;
-- without an id: job, cycle, change, action and source identity as well); the versions are
-- kept in provisioning_versions and provisioning_version_rows.
CREATE TABLE IF NOT EXISTS provisioning (
    provisioning_key           BIGINT PRIMARY KEY, -- internal key
    id                         VARCHAR,            -- provisioning event id
    activity_at                TIMESTAMPTZ NOT NULL, -- event time (activityDateTime), UTC
    ingested_at                TIMESTAMPTZ,        -- write time, when given
    job_id                     VARCHAR,            -- provisioning job id
    cycle_id                   VARCHAR,            -- provisioning cycle id
    change_id                  VARCHAR,            -- change id (groups the events of one change)
    action                     VARCHAR,            -- create, update, delete, disable, stagedDelete, other (provisioningAction)
    status                     VARCHAR,            -- success, failure, skipped, warning (provisioningStatusInfo.status)
    error_code                 VARCHAR,            -- error code when the event failed
    error_category             VARCHAR,            -- error category (Failure, NonServiceFailure, SuccessOrNonFailure)
    reason                     VARCHAR,            -- the error's reason or the status description, as exported
    source_system_id           VARCHAR,            -- id of the source system
    source_system_name         VARCHAR,            -- source system (Azure Active Directory, Workday, ...)
    target_system_id           VARCHAR,            -- id of the target system
    target_system_name         VARCHAR,            -- target system (ServiceNow, Salesforce, ...)
    source_identity_id         VARCHAR,            -- id of the identity in the source system
    source_identity_name       VARCHAR,            -- display name of the source identity
    source_identity_type       VARCHAR,            -- type of the source identity (User, Group, ...)
    target_identity_id         VARCHAR,            -- id of the identity in the target system
    target_identity_name       VARCHAR,            -- display name of the target identity
    target_identity_type       VARCHAR,            -- type of the target identity
    service_principal_id       VARCHAR,            -- object id of the provisioning application's service principal
    service_principal_name     VARCHAR,            -- name of the provisioning application
    initiator_id               VARCHAR,            -- who or what started the event (initiatedBy id)
    initiator_name             VARCHAR,            -- its display name
    duration_ms                BIGINT,             -- duration in milliseconds, when given
    provisioning_steps         JSON,               -- provisioningSteps as exported (name, type, status, description, details)
    modified_properties        JSON,               -- modifiedProperties as exported (displayName, oldValue, newValue)
    extra                      JSON,               -- every source field that has no column, keyed by its source name
    source_id                  INTEGER,            -- input file (sources.source_id); of the latest version when there are several
    source_file                VARCHAR,            -- input file path
    source_line                BIGINT,             -- line or record index where the record starts
    content_hash               BIGINT              -- hash of the normalized record without ingestion time, provenance and extra
);

-- Every version of each audit event that arrived in more than one different version, as
-- signin_versions; an event with one version has no row here.
CREATE TABLE IF NOT EXISTS audit_versions (
    audit_key                  BIGINT,             -- the audit event (audits.audit_key)
    version_key                BIGINT,             -- this version's row in audit_version_rows (the first version loaded: the event's own key)
    version                    INTEGER,            -- 1-based rank in merge order: ingestion time, then file order
    ingested_at                TIMESTAMPTZ,        -- this version's ingestion time, when the format has one
    content_hash               BIGINT,             -- this version's content hash (see audits.content_hash)
    source_id                  INTEGER,            -- input file of this version (sources.source_id)
    source_line                BIGINT              -- line or record index of this version in that file
);
CREATE TABLE IF NOT EXISTS audit_version_rows AS SELECT * FROM audits LIMIT 0;                           -- one row per audit version; audit_key is audit_versions.version_key
CREATE TABLE IF NOT EXISTS audit_version_targets AS SELECT * FROM audit_targets LIMIT 0;                 -- the targets of each audit version; audit_key is audit_versions.version_key
CREATE TABLE IF NOT EXISTS audit_version_modified_properties AS SELECT * FROM audit_modified_properties LIMIT 0; -- the modified properties of each audit version; audit_key is audit_versions.version_key

-- Every version of each provisioning event that arrived in more than one different version.
CREATE TABLE IF NOT EXISTS provisioning_versions (
    provisioning_key           BIGINT,             -- the provisioning event (provisioning.provisioning_key)
    version_key                BIGINT,             -- this version's row in provisioning_version_rows (the first version loaded: the event's own key)
    version                    INTEGER,            -- 1-based rank in merge order: ingestion time, then file order
    ingested_at                TIMESTAMPTZ,        -- this version's ingestion time, when the format has one
    content_hash               BIGINT,             -- this version's content hash (see provisioning.content_hash)
    source_id                  INTEGER,            -- input file of this version (sources.source_id)
    source_line                BIGINT              -- line or record index of this version in that file
);
CREATE TABLE IF NOT EXISTS provisioning_version_rows AS SELECT * FROM provisioning LIMIT 0;             -- one row per provisioning version; provisioning_key is provisioning_versions.version_key
