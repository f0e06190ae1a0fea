//go:build !devtools

package main

// devCommands is the developer commands: none in the shipped build. The generate command
// and the generator it links (internal/gen) come only with -tags devtools.
func devCommands() []command { return nil }
