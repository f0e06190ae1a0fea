package loaders

import "github.com/signinlens/signinlens/reference"

// LookupCode returns the reference entry of an error code.
func LookupCode(n int64) (reference.Code, bool) { return reference.LookupCode(n) }
