package intstr

import (
	"encoding/json"
	"testing"
)

func TestJSON(t *testing.T) {
	tests := []struct {
		in   string
		want IntOrString
	}{
		{`8080`, FromInt32(8080)},
		{`0`, FromInt32(0)},
		{`-1`, FromInt32(-1)},
		{`"http"`, FromString("http")},
		{`"25%"`, FromString("25%")},
		{`"8080"`, FromString("8080")},
		{`""`, FromString("")},
	}
	for _, tt := range tests {
		var got IntOrString
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Errorf("unmarshal %s: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("unmarshal %s = %#v, want %#v", tt.in, got, tt.want)
		}
		out, err := json.Marshal(got)
		if err != nil || string(out) != tt.in {
			t.Errorf("marshal %#v = %s, %v; want %s", got, out, err, tt.in)
		}
	}
}

func TestJSONErrors(t *testing.T) {
	for _, in := range []string{`1.5`, `4294967296`, `{}`, `[1]`, `true`} {
		var v IntOrString
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("unmarshal %s = %#v, want error", in, v)
		}
	}
	if _, err := json.Marshal(IntOrString{Type: 7}); err == nil {
		t.Error("marshal of unknown type succeeded")
	}
}

func TestInStruct(t *testing.T) {
	type port struct {
		Target IntOrString  `json:"targetPort,omitzero"`
		Max    *IntOrString `json:"maxSurge,omitempty"`
	}
	surge := FromString("25%")
	tests := []struct {
		v    port
		want string
	}{
		{port{}, `{}`},
		{port{Target: FromInt32(80)}, `{"targetPort":80}`},
		{port{Target: FromString("web"), Max: &surge}, `{"targetPort":"web","maxSurge":"25%"}`},
		// A zero-valued string is not the zero IntOrString, so it is kept.
		{port{Target: FromString("")}, `{"targetPort":""}`},
	}
	for _, tt := range tests {
		out, err := json.Marshal(tt.v)
		if err != nil || string(out) != tt.want {
			t.Errorf("marshal %#v = %s, %v; want %s", tt.v, out, err, tt.want)
		}
	}
}

func TestStringAndIntValue(t *testing.T) {
	tests := []struct {
		v      IntOrString
		str    string
		intVal int
	}{
		{FromInt32(42), "42", 42},
		{FromInt(-3), "-3", -3},
		{FromString("42"), "42", 42},
		{FromString("http"), "http", 0},
		{FromString("50%"), "50%", 0},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.v, got, tt.str)
		}
		if got := tt.v.IntValue(); got != tt.intVal {
			t.Errorf("%#v.IntValue() = %d, want %d", tt.v, got, tt.intVal)
		}
	}
}

func TestParse(t *testing.T) {
	tests := map[string]IntOrString{
		"80":          FromInt32(80),
		"-1":          FromInt32(-1),
		"http":        FromString("http"),
		"10%":         FromString("10%"),
		"99999999999": FromString("99999999999"),
	}
	for in, want := range tests {
		if got := Parse(in); got != want {
			t.Errorf("Parse(%q) = %#v, want %#v", in, got, want)
		}
	}
}

func TestGetScaledValueFromIntOrPercent(t *testing.T) {
	tests := []struct {
		v       IntOrString
		total   int
		roundUp bool
		want    int
		wantErr bool
	}{
		{v: FromInt32(5), total: 10, want: 5},
		{v: FromInt32(5), total: 2, roundUp: true, want: 5},
		{v: FromString("25%"), total: 10, roundUp: true, want: 3},
		{v: FromString("25%"), total: 10, roundUp: false, want: 2},
		{v: FromString("25%"), total: 4, roundUp: true, want: 1},
		{v: FromString("100%"), total: 7, want: 7},
		{v: FromString("0%"), total: 7, roundUp: true, want: 0},
		{v: FromString("1%"), total: 1, roundUp: true, want: 1},
		{v: FromString("1%"), total: 1, roundUp: false, want: 0},
		{v: FromString("33%"), total: 3, roundUp: true, want: 1},
		{v: FromString("200%"), total: 3, want: 6},
		{v: FromString("25"), total: 10, wantErr: true},
		{v: FromString("x%"), total: 10, wantErr: true},
		{v: FromString(""), total: 10, wantErr: true},
	}
	for _, tt := range tests {
		v := tt.v
		got, err := GetScaledValueFromIntOrPercent(&v, tt.total, tt.roundUp)
		if (err != nil) != tt.wantErr {
			t.Errorf("GetScaledValueFromIntOrPercent(%v, %d, %v) error = %v, wantErr %v", tt.v, tt.total, tt.roundUp, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("GetScaledValueFromIntOrPercent(%v, %d, %v) = %d, want %d", tt.v, tt.total, tt.roundUp, got, tt.want)
		}
	}
	if _, err := GetScaledValueFromIntOrPercent(nil, 10, true); err == nil {
		t.Error("nil value: want error")
	}
}
