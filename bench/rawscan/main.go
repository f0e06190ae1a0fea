// Command rawscan times DuckDB's own readers over export files, the limit signinlens's
// loader is measured against (bench/run.sh). It opens a database file with the same
// settings as signinlens (store.Open) and runs CREATE TABLE t AS SELECT * FROM <reader>.
//
//	rawscan -kind ndjson-objects -db /tmp/x.duckdb 'exports/**/*.json'
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/signinlens/signinlens/internal/store"
)

// Kinds are the readers measured, by name.
var kinds = map[string]string{
	// Every object kept as JSON text: the scan limit for JSON lines.
	"ndjson-objects": "read_ndjson_objects(%s)",
	// Every object of a JSON array (admin-center download) or of Graph pages.
	"json-array-objects": "read_json_objects(%s, format='array')",
	"json-auto-objects":  "read_json_objects(%s, format='auto')",
	// Typed columns from an explicit schema (~40 fields of diagnostic records).
	"json-schema": "read_json(%s, format='newline_delimited', columns=" + diagnosticSchema + ")",
	// Graph pages: the value arrays unnested into typed columns.
	"graph-schema": "(SELECT unnest(value, recursive := false) FROM read_json(%s, format='auto', columns={value: '" + graphStruct + "[]'}))",
	// Every CSV cell as text.
	"csv": "read_csv(%s, all_varchar=true, union_by_name=true)",
}

// signInFields is the Graph sign-in object as a STRUCT of about 40 fields.
const signInFields = `id VARCHAR, createdDateTime TIMESTAMPTZ, userDisplayName VARCHAR, userPrincipalName VARCHAR, userId VARCHAR,
userType VARCHAR, appId VARCHAR, appDisplayName VARCHAR, ipAddress VARCHAR, clientAppUsed VARCHAR, userAgent VARCHAR,
correlationId VARCHAR, originalRequestId VARCHAR, conditionalAccessStatus VARCHAR, isInteractive BOOLEAN,
tokenIssuerType VARCHAR, processingTimeInMilliseconds BIGINT, riskDetail VARCHAR, riskLevelAggregated VARCHAR,
riskLevelDuringSignIn VARCHAR, riskState VARCHAR, riskEventTypes_v2 VARCHAR[], resourceDisplayName VARCHAR,
resourceId VARCHAR, resourceTenantId VARCHAR, homeTenantId VARCHAR, authenticationRequirement VARCHAR,
authenticationProtocol VARCHAR, incomingTokenType VARCHAR, servicePrincipalId VARCHAR, servicePrincipalName VARCHAR,
clientCredentialType VARCHAR, sessionId VARCHAR, uniqueTokenIdentifier VARCHAR, crossTenantAccessType VARCHAR,
autonomousSystemNumber BIGINT,
status STRUCT(errorCode INTEGER, failureReason VARCHAR, additionalDetails VARCHAR),
deviceDetail STRUCT(deviceId VARCHAR, displayName VARCHAR, operatingSystem VARCHAR, browser VARCHAR, isCompliant BOOLEAN, isManaged BOOLEAN, trustType VARCHAR),
location STRUCT(city VARCHAR, state VARCHAR, countryOrRegion VARCHAR, geoCoordinates STRUCT(latitude DOUBLE, longitude DOUBLE)),
mfaDetail STRUCT(authMethod VARCHAR, authDetail VARCHAR),
appliedConditionalAccessPolicies STRUCT(id VARCHAR, displayName VARCHAR, result VARCHAR, enforcedGrantControls VARCHAR[], enforcedSessionControls VARCHAR[])[],
authenticationDetails STRUCT(authenticationStepDateTime TIMESTAMPTZ, authenticationMethod VARCHAR, authenticationMethodDetail VARCHAR, succeeded BOOLEAN, authenticationStepResultDetail VARCHAR, authenticationStepRequirement VARCHAR)[]`

var graphStruct = "STRUCT(" + strings.ReplaceAll(signInFields, "\n", " ") + ")"

var diagnosticSchema = "{time: 'TIMESTAMPTZ', category: 'VARCHAR', tenantId: 'VARCHAR', resultType: 'VARCHAR', " +
	"callerIpAddress: 'VARCHAR', correlationId: 'VARCHAR', identity: 'VARCHAR', location: 'VARCHAR', " +
	"properties: '" + graphStruct + "'}"

func main() {
	kind := flag.String("kind", "ndjson-objects", "reader: ndjson-objects, json-array-objects, json-auto-objects, json-schema, graph-schema, csv")
	dbPath := flag.String("db", "", "database file to create (removed first)")
	threads := flag.Int("threads", 0, "DuckDB threads (default: CPUs)")
	memory := flag.String("memory-limit", "", "DuckDB memory limit")
	show := flag.Bool("sql", false, "print the statement and exit")
	flag.Parse()
	if flag.NArg() != 1 || *dbPath == "" {
		fmt.Fprintln(os.Stderr, "usage: rawscan -kind KIND -db FILE 'GLOB'")
		os.Exit(2)
	}
	tmpl, ok := kinds[*kind]
	if !ok {
		fmt.Fprintf(os.Stderr, "rawscan: error: unknown kind %q\n", *kind)
		os.Exit(2)
	}
	glob := "'" + strings.ReplaceAll(flag.Arg(0), "'", "''") + "'"
	stmt := "CREATE TABLE t AS SELECT * FROM " + fmt.Sprintf(tmpl, glob)
	if *show {
		fmt.Println(stmt)
		return
	}
	os.Remove(*dbPath)
	os.Remove(*dbPath + ".wal")
	db, err := store.Open(*dbPath, store.Options{Threads: *threads, MemoryLimit: *memory})
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawscan: error:", err)
		os.Exit(1)
	}
	defer db.Close()
	start := time.Now()
	if _, err := db.SQL.ExecContext(context.Background(), stmt); err != nil {
		fmt.Fprintln(os.Stderr, "rawscan: error:", err)
		os.Exit(1)
	}
	var n int64
	db.SQL.QueryRow("SELECT count(*) FROM t").Scan(&n)
	fmt.Printf("%s: %d rows in %.2fs\n", *kind, n, time.Since(start).Seconds())
}
