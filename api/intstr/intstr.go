package intstr

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Type says which of the two members of an IntOrString is in use.
type Type int64

// The two kinds of value an IntOrString can hold.
const (
	Int    Type = iota // IntVal is in use.
	String             // StrVal is in use.
)

// IntOrString holds an int32 or a string. In JSON it is a bare number or a string,
// never an object. The zero value is the integer 0.
type IntOrString struct {
	Type   Type
	IntVal int32
	StrVal string
}

// FromInt32 returns an IntOrString holding v.
func FromInt32(v int32) IntOrString { return IntOrString{Type: Int, IntVal: v} }

// FromInt returns an IntOrString holding v; values outside int32 are truncated,
// so prefer FromInt32.
func FromInt(v int) IntOrString { return FromInt32(int32(v)) }

// FromString returns an IntOrString holding s.
func FromString(s string) IntOrString { return IntOrString{Type: String, StrVal: s} }

// Parse returns an Int if s is a decimal int32, and a String otherwise.
func Parse(s string) IntOrString {
	if i, err := strconv.ParseInt(s, 10, 32); err == nil {
		return FromInt32(int32(i))
	}
	return FromString(s)
}

// String returns the string value, or the integer value formatted in decimal.
func (v IntOrString) String() string {
	if v.Type == String {
		return v.StrVal
	}
	return strconv.Itoa(int(v.IntVal))
}

// IntValue returns the integer value, or the string parsed as an integer (0 if it is not one).
func (v IntOrString) IntValue() int {
	if v.Type == String {
		i, _ := strconv.Atoi(v.StrVal)
		return i
	}
	return int(v.IntVal)
}

// MarshalJSON writes a JSON number or string.
func (v IntOrString) MarshalJSON() ([]byte, error) {
	switch v.Type {
	case Int:
		return strconv.AppendInt(nil, int64(v.IntVal), 10), nil
	case String:
		return json.Marshal(v.StrVal)
	default:
		return nil, fmt.Errorf("marshal IntOrString: unknown type %d", v.Type)
	}
}

// UnmarshalJSON reads a JSON number (which must fit an int32) or string.
func (v *IntOrString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		v.Type = String
		v.IntVal = 0
		return json.Unmarshal(b, &v.StrVal)
	}
	v.Type = Int
	v.StrVal = ""
	return json.Unmarshal(b, &v.IntVal)
}

// GetScaledValueFromIntOrPercent resolves v against total: an integer is returned as is,
// a percentage string ("25%") is scaled to total and rounded up or down. Any other string
// is an error, as is a nil v.
func GetScaledValueFromIntOrPercent(v *IntOrString, total int, roundUp bool) (int, error) {
	if v == nil {
		return 0, errors.New("nil value for IntOrString")
	}
	if v.Type == Int {
		return int(v.IntVal), nil
	}
	s, ok := strings.CutSuffix(v.StrVal, "%")
	if !ok {
		return 0, fmt.Errorf("invalid value for IntOrString: invalid type: string is not a percentage: %q", v.StrVal)
	}
	p, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("invalid value for IntOrString: invalid value %q: %w", v.StrVal, err)
	}
	// Float arithmetic, as upstream does, so that results agree to the last pod.
	scaled := float64(p) * float64(total) / 100
	if roundUp {
		return int(math.Ceil(scaled)), nil
	}
	return int(math.Floor(scaled)), nil
}
