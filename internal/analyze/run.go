// Package analyze assembles the report from the catalogue's results: one neutral result model
// (Report, Section, findings, evidence, sources) that package report renders as text, CSV,
// JSON, Markdown or Excel. Running the catalogue is the queries package's job.
package analyze

import (
	"github.com/signinlens/signinlens/internal/queries"
)

// The result model's parts that the catalogue produces, under the names the writers use.
type (
	Table        = queries.Table
	Column       = queries.Column
	Params       = queries.Params
	Bound        = queries.Bound
	Finding      = queries.Finding
	DetectionRun = queries.DetectionRun
)

// ScopeMacro is the scoped() macro every catalogue query reads, for the Methodology record.
const ScopeMacro = queries.ScopeMacro

// FamilyMacros group operating systems and browsers into families, for the Methodology record.
const FamilyMacros = queries.FamilyMacros

// AuditScopeMacro and ProvisioningScopeMacro are the macros the queries over the audit and
// provisioning logs read, for the Methodology record.
const (
	AuditScopeMacro        = queries.AuditScopeMacro
	ProvisioningScopeMacro = queries.ProvisioningScopeMacro
)

// AuditHelperMacros are the activity-name and value helpers those queries use.
func AuditHelperMacros() []string { return queries.AuditHelperMacros() }
