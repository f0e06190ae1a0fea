package loaders

// The formats the loaders read, in detection order: Detect tries each Match in turn and the
// first that accepts a file's head reads it. The admin center's auth-details CSV comes
// before its sign-in CSV (both have a Request ID column), and the CSV formats before the
// JSON ones, whose shapes are told apart by classifyHead. To add a format, write its Match
// and Read and put it here where its detection belongs.
//
// formats, expanders and unrecognizedHints are set here once and never written afterwards.
var formats = []*Format{
	adminAuthDetailsFormat,
	adminAuditCSVFormat,
	adminCSVFormat,
	laCSVFormat,
	powershellCSVFormat,
	jsonFormat("graph-page", "Microsoft Graph /auditLogs/signIns, directoryAudits and provisioning response pages ({\"value\":[...]})"),
	jsonFormat("diagnostic-envelope", "Azure Monitor records envelope ({\"records\":[...]})"),
	jsonFormat("la-rest-json", "Log Analytics query API response ({\"tables\":[...]})"),
	jsonFormat("diagnostic-jsonl", "diagnostic-settings records, one per line (PT1H.json)"),
	jsonFormat("la-json-rows", "Log Analytics rows as JSON objects (JSON lines or array)"),
	jsonFormat("graph-jsonl", "Graph sign-in, directoryAudit and provisioning objects, one per line"),
	jsonFormat("json-array", "JSON array of Graph-shaped sign-ins (admin center download, saved value[], Extractor-Suite, ConvertTo-Json)"),
}

// expanders turn one file on disk into inputs, tried in order for every file before it is
// read as is.
var expanders = []Expander{expandZip}

// unrecognizedHints explain text that no format matched, tried in order; the first
// non-empty explanation is used.
var unrecognizedHints = []func(head []byte) string{csvUnrecognizedHint}

// Formats returns the formats in detection order.
func Formats() []*Format { return append([]*Format(nil), formats...) }
