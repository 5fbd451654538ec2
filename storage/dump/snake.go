package dump

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"unicode"
)

// snakeCase writes a struct whose fields have no JSON names of their own
// (bot.Post: the bbolt backend stores posts under their Go field names,
// which stay as they are) with snake_case keys, like every other record of
// the export: ID as "id", CardID as "card_id". A field with a JSON tag
// keeps its name and options. The struct has no embedded fields.
type snakeCase struct{ v any }

func (s snakeCase) MarshalJSON() ([]byte, error) {
	rv := reflect.ValueOf(s.v)
	rt := rv.Type()
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, tagged := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && !tagged {
			continue
		}
		if name == "" {
			name = snakeName(f.Name)
		}
		fv := rv.Field(i)
		if hasOpt(opts, "omitempty") && isEmpty(fv) || hasOpt(opts, "omitzero") && fv.IsZero() {
			continue
		}
		val, err := marshal(fv.Interface())
		if err != nil {
			return nil, err
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		key, _ := marshal(name)
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(val)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshal is json.Marshal without escaping <, > and &, as the export is
// written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func hasOpt(opts, opt string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// isEmpty is what encoding/json's omitempty leaves out.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// snakeName is a Go field name in snake_case: CardID is card_id, ID id,
// DailyUntil daily_until, HTTPAddr http_addr.
func snakeName(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if i > 0 && unicode.IsUpper(c) && (!unicode.IsUpper(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}
