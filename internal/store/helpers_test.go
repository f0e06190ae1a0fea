package store

import (
	"fmt"
	"time"
)

func fmtValue(v any) string {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().String()
	case []any:
		s := "["
		for i, e := range x {
			if i > 0 {
				s += " "
			}
			s += fmtValue(e)
		}
		return s + "]"
	}
	return fmt.Sprint(v)
}
