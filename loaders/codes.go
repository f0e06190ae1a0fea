package loaders

import "github.com/signinlens/signinlens/reference"

// LookupCode returns the reference entry of an error code.
var LookupCode = reference.LookupCode
