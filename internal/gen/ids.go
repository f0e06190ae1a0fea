package gen

import "encoding/base64"

// Identifiers are pure functions of (seed, key, n), so they do not depend on how many random
// numbers were drawn before them, and a bijective mix of n guarantees uniqueness per key.

// Keys separating the identifier families.
const (
	keyTenant uint64 = iota + 1
	keyWorkspace
	keyRequest
	keyCorrelation
	keyToken
	keySession
	keyUser
	keyDevice
	keyApp
	keySP
	keyCredential
	keyPolicy
	keyResourceSP
	keyGuestTenant
	keySubscription
	keyFederated
	keySkipToken
	keyAuditCorrelation
	keyAuditID
	keyGroup
	keyObject // objects the plants create: devices, users, service principals
	keyAppObject
	keyProvisioning
	keyProvisioningChange
	keyProvisioningCycle
	keyServiceNowID
)

type ids struct{ seed uint64 }

func newIDs(seed int64) ids { return ids{seed: mix64(uint64(seed) ^ 0x5ca1ab1e0ddba11)} }

// mix64 is the splitmix64 finalizer: a bijection on uint64.
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// words returns two 64-bit values for (key, n); the first is a bijection of n for a fixed key.
func (d ids) words(key, n uint64) (uint64, uint64) {
	k := mix64(d.seed + key*0x9e3779b97f4a7c15)
	a := mix64(n + k)
	b := mix64(a ^ k ^ 0xd6e8feb86659fd93)
	return a, b
}

const hexDigits = "0123456789abcdef"

// guid returns a version-4 GUID for (key, n). The 64 bits that identify n sit in bytes 0-3
// and 10-13, away from the version and variant bits, so different n give different GUIDs.
func (d ids) guid(key, n uint64) string {
	var b [36]byte
	d.appendGUID(b[:0], key, n)
	return string(b[:])
}

func (d ids) appendGUID(dst []byte, key, n uint64) []byte {
	a, r := d.words(key, n)
	var u [16]byte
	u[0], u[1], u[2], u[3] = byte(a>>56), byte(a>>48), byte(a>>40), byte(a>>32)
	u[10], u[11], u[12], u[13] = byte(a>>24), byte(a>>16), byte(a>>8), byte(a)
	u[4], u[5], u[6], u[7], u[8], u[9], u[14], u[15] = byte(r>>56), byte(r>>48), byte(r>>40), byte(r>>32), byte(r>>24), byte(r>>16), byte(r>>8), byte(r)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	if key == keyRequest {
		u[15] = 0 // Entra request ids end in 00 more often than not
	}
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// token returns a 22-character base64url token (the shape of uniqueTokenIdentifier).
func (d ids) token(n uint64) string {
	a, r := d.words(keyToken, n)
	var u [16]byte
	for i := range 8 {
		u[i] = byte(a >> (56 - 8*i))
		u[8+i] = byte(r >> (56 - 8*i))
	}
	return base64.RawURLEncoding.EncodeToString(u[:])
}

// hex returns n hex digits (upper case when upper) derived from (key, n).
func (d ids) hex(key, n uint64, digits int, upper bool) string {
	const up = "0123456789ABCDEF"
	tab := hexDigits
	if upper {
		tab = up
	}
	out := make([]byte, 0, digits)
	for i := uint64(0); len(out) < digits; i++ {
		a, b := d.words(key, n*64+i)
		for _, w := range [2]uint64{a, b} {
			for s := 60; s >= 0 && len(out) < digits; s -= 4 {
				out = append(out, tab[(w>>uint(s))&15])
			}
		}
	}
	return string(out)
}
