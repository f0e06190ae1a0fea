package loaders

import "github.com/signinlens/signinlens/internal/reference"

// LookupCode returns the reference entry of an error code.
func LookupCode(n int64) (reference.Code, bool) { return reference.LookupCode(n) }
