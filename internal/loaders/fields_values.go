// How the Normalizer reads field values: text, booleans, numbers, times, string lists
// and nested JSON.

package loaders

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// text renders a scalar value as text; objects and arrays as their JSON.
func (n *Normalizer) text(key string, v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeString:
		s := string(v.GetStringBytes())
		if isTypeName(s) {
			n.typeName(key)
			return ""
		}
		return s
	case fastjson.TypeNull:
		return ""
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	default:
		return string(v.MarshalTo(nil))
	}
}

func (n *Normalizer) tri(key string, v *fastjson.Value) (Tri, bool) {
	switch v.Type() {
	case fastjson.TypeTrue:
		return True, true
	case fastjson.TypeFalse:
		return False, true
	case fastjson.TypeNumber:
		return boolTri(v.GetFloat64() != 0), true
	case fastjson.TypeString:
		return ParseBool(string(v.GetStringBytes()))
	}
	return Unknown, false
}

// ParseBool reads the spellings of booleans seen in exports.
func ParseBool(s string) (Tri, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return True, true
	case "false", "0", "no":
		return False, true
	}
	return Unknown, false
}

func boolTri(b bool) Tri {
	if b {
		return True
	}
	return False
}

func (n *Normalizer) int(key string, v *fastjson.Value) (int64, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		f := v.GetFloat64()
		return int64(f), true
	case fastjson.TypeString:
		s := strings.TrimSpace(string(v.GetStringBytes()))
		if s == "" {
			return 0, false
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return int64(f), true
		}
	}
	return 0, false
}

func (n *Normalizer) float(v *fastjson.Value) (float64, bool) {
	switch v.Type() {
	case fastjson.TypeNumber:
		return v.GetFloat64(), true
	case fastjson.TypeString:
		f, err := strconv.ParseFloat(strings.TrimSpace(string(v.GetStringBytes())), 64)
		return f, err == nil
	}
	return 0, false
}

func (n *Normalizer) time(r *Record, key string, v *fastjson.Value, dst *time.Time) {
	s := n.text(key, v)
	if s == "" {
		return
	}
	t, err := ParseTime(s, false)
	if err != nil {
		r.BadField, r.BadReason = key, err.Error()
		return
	}
	*dst = t
}

// strings reads an array of strings, or a string holding one (JSON text or comma list).
func (n *Normalizer) strings(key string, orig *fastjson.Value) []string {
	v := n.nestedValue(key, orig)
	if v == nil {
		return nil
	}
	defer n.release(orig, v)
	switch v.Type() {
	case fastjson.TypeArray:
		arr := v.GetArray()
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			if s := n.text(key, e); s != "" {
				out = append(out, s)
			}
		}
		return out
	case fastjson.TypeString:
		var out []string
		for _, p := range strings.Split(string(v.GetStringBytes()), ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	return nil
}

// nestedValue returns v, or the JSON that v holds as text (Log Analytics dynamic columns,
// CSV cells). It returns nil for an empty, null or .NET type-name value.
func (n *Normalizer) nestedValue(key string, v *fastjson.Value) *fastjson.Value {
	if v.Type() != fastjson.TypeString {
		if v.Type() == fastjson.TypeNull {
			return nil
		}
		return v
	}
	s := strings.TrimSpace(string(v.GetStringBytes()))
	if s == "" {
		return nil
	}
	if isTypeName(s) {
		n.typeName(key)
		return nil
	}
	if (s[0] == '{' || s[0] == '[') && n.depth < len(n.nested) {
		p := &n.nested[n.depth]
		n.depth++ // a later parse at this depth would overwrite the value; see release
		pv, err := p.Parse(s)
		if err == nil {
			return pv
		}
		n.depth--
	}
	return v
}

// release ends the use of a value returned by nestedValue.
func (n *Normalizer) release(orig, got *fastjson.Value) {
	if got != nil && got != orig {
		n.depth--
	}
}

// visitNested calls fn for each field of the object v holds (directly or as JSON text);
// unknown sub-fields go to extra as "parent.child".
func (n *Normalizer) visitNested(r *Record, key string, v *fastjson.Value, fn func(sub string, sv *fastjson.Value) bool) {
	nv := n.nestedValue(key, v)
	defer n.release(v, nv)
	if nv == nil {
		return
	}
	o, err := nv.Object()
	if err != nil {
		r.AddExtra(key, nv.MarshalTo(nil))
		return
	}
	o.Visit(func(k []byte, sv *fastjson.Value) {
		sub, lower := n.keyOf(k)
		if !fn(lower, sv) && sv.Type() != fastjson.TypeNull {
			n.addExtra(r, key+"."+sub, sv)
		}
	})
}
