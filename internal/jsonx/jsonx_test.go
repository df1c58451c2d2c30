package jsonx

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseInt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{`12`, 12, true},
		{`-7`, -7, true},
		{`"12"`, 12, true},
		{`" 12 "`, 12, true},
		{`""`, 0, true},
		{`"  "`, 0, true},
		{`null`, 0, true},
		{``, 0, true},
		{` 42 `, 42, true},
		{`12.0`, 12, true},
		{`"12.0"`, 12, true},
		{`1e3`, 1000, true},
		{`9007199254740993`, 9007199254740993, true}, // exact, beyond float precision
		{`"9223372036854775807"`, math.MaxInt64, true},
		{`12.5`, 0, false},
		{`"12,5"`, 0, false},
		{`"abc"`, 0, false},
		{`true`, 0, false},
		{`{}`, 0, false},
		{`[1]`, 0, false},
		{`"NaN"`, 0, false},
		{`"Inf"`, 0, false},
		{`1e300`, 0, false},
		{`"12`, 0, false},
		{`"\u0031\u0032"`, 12, true},
	} {
		got, err := ParseInt([]byte(tc.in))
		if tc.ok {
			require.NoError(t, err, tc.in)
			assert.Equal(t, tc.want, got, tc.in)
		} else {
			assert.Error(t, err, tc.in)
		}
	}
}

func TestParseFloat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{`12.5`, 12.5, true},
		{`"12.50"`, 12.5, true},
		{`"12,50"`, 12.5, true},
		{`" 7 "`, 7, true},
		{`-0.25`, -0.25, true},
		{`""`, 0, true},
		{`null`, 0, true},
		{`3`, 3, true},
		{`"1e2"`, 100, true},
		{`"1.234,56"`, 0, false},
		{`"1,2,3"`, 0, false},
		{`"abc"`, 0, false},
		{`"NaN"`, 0, false},
		{`"-Inf"`, 0, false},
		{`"1e999"`, 0, false},
		{`true`, 0, false},
		{`[]`, 0, false},
	} {
		got, err := ParseFloat([]byte(tc.in))
		if tc.ok {
			require.NoError(t, err, tc.in)
			assert.Equal(t, tc.want, got, tc.in)
		} else {
			assert.Error(t, err, tc.in)
		}
	}
}

func TestParseString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`"Ana"`, "Ana", true},
		{`"S\u00e3o Paulo \"SP\""`, `São Paulo "SP"`, true},
		{`"São"`, "São", true},
		{`12`, "12", true},
		{`12.50`, "12.50", true},
		{`-3e2`, "-3e2", true},
		{`true`, "true", true},
		{`null`, "", true},
		{`""`, "", true},
		{``, "", true},
		{`{"a":1}`, "", false},
		{`[1]`, "", false},
		{`"bad \x escape"`, "", false},
	} {
		got, err := ParseString([]byte(tc.in))
		if tc.ok {
			require.NoError(t, err, tc.in)
			assert.Equal(t, tc.want, got, tc.in)
		} else {
			assert.Error(t, err, tc.in)
		}
	}
}

func TestTypesInStructs(t *testing.T) {
	t.Parallel()
	var v struct {
		ID    Int    `json:"id"`
		Total Float  `json:"total"`
		Code  String `json:"code"`
		Miss  Int    `json:"miss"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"id":"17","total":"9,90","code":123,"miss":null}`), &v))
	assert.Equal(t, Int(17), v.ID)
	assert.Equal(t, Float(9.9), v.Total)
	assert.Equal(t, String("123"), v.Code)
	assert.Equal(t, Int(0), v.Miss)

	err := json.Unmarshal([]byte(`{"id":"seventeen"}`), &v)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "seventeen")
	require.Error(t, json.Unmarshal([]byte(`{"total":"x"}`), &v))
	require.Error(t, json.Unmarshal([]byte(`{"code":{}}`), &v))

	b, err := json.Marshal(struct {
		N Int `json:"n"`
	}{42})
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":42}`, string(b))

	// Long garbage is cut in the error message.
	_, err = ParseInt([]byte(`"` + strings.Repeat("x", 100) + `"`))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 80)
}

func TestDates(t *testing.T) {
	t.Parallel()
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		sp = time.FixedZone("BRT", -3*3600)
	}
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want time.Time
		ok   bool
	}{
		{"2026-03-01", sp, time.Date(2026, 3, 1, 0, 0, 0, 0, sp), true},
		{"2026-03-01 14:05:09", sp, time.Date(2026, 3, 1, 14, 5, 9, 0, sp), true},
		{" 2026-03-01 14:05:09 ", nil, time.Date(2026, 3, 1, 14, 5, 9, 0, time.UTC), true},
		{"2026-03-01T14:05:09", time.UTC, time.Date(2026, 3, 1, 14, 5, 9, 0, time.UTC), true},
		{"2026-03-01 14:05", time.UTC, time.Date(2026, 3, 1, 14, 5, 0, 0, time.UTC), true},
		{"2026-03-01 14:05:09.250", time.UTC, time.Date(2026, 3, 1, 14, 5, 9, 250e6, time.UTC), true},
		{"2026-03-01T14:05:09.5", time.UTC, time.Date(2026, 3, 1, 14, 5, 9, 500e6, time.UTC), true},
		{"2026-03-01T14:05:09Z", sp, time.Date(2026, 3, 1, 14, 5, 9, 0, time.UTC), true},
		{"2026-03-01T14:05:09-03:00", time.UTC, time.Date(2026, 3, 1, 17, 5, 9, 0, time.UTC), true},
		{"2026-03-01 14:05:09-03:00", time.UTC, time.Date(2026, 3, 1, 17, 5, 9, 0, time.UTC), true},
		{"2026-03-01T14:05:09+0300", time.UTC, time.Date(2026, 3, 1, 11, 5, 9, 0, time.UTC), true},
		{"", sp, time.Time{}, true},
		{"0000-00-00", sp, time.Time{}, true},
		{"0000-00-00 00:00:00", sp, time.Time{}, true},
		{"01/03/2026", sp, time.Time{}, false},
		{"2026-13-01", sp, time.Time{}, false},
		{"2026-02-30", sp, time.Time{}, false},
		{"yesterday", sp, time.Time{}, false},
	} {
		got, err := ParseTime(tc.in, tc.loc)
		if !tc.ok {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.True(t, tc.want.Equal(got), "%q: got %v want %v", tc.in, got, tc.want)
	}

	d := time.Date(2026, 1, 9, 7, 8, 9, 123, sp)
	assert.Equal(t, "2026-01-09", FormatDate(d))
	assert.Equal(t, "2026-01-09 07:08:09", FormatDateTime(d))
	// Round trip in the same location.
	back, err := ParseTime(FormatDateTime(d), sp)
	require.NoError(t, err)
	assert.True(t, back.Equal(d.Truncate(time.Second)))
}

func FuzzParseInt(f *testing.F) {
	for _, s := range []string{`12`, `"12"`, `""`, `null`, `12.0`, `1e3`, `"x"`, `-0`, `"9223372036854775808"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseInt([]byte(s))
		if err != nil {
			return
		}
		// Whatever parses as a bare number parses the same when quoted.
		if s != "" && !strings.ContainsAny(s, "\"\\") && strings.TrimSpace(s) != "null" {
			q, err := ParseInt([]byte(strconv.Quote(strings.TrimSpace(s))))
			if err != nil || q != v {
				t.Fatalf("%q gives %d, quoted gives %d, %v", s, v, q, err)
			}
		}
	})
}

func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{`12.5`, `"12,50"`, `""`, `null`, `"1e2"`, `"abc"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseFloat([]byte(s))
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("%q gives %v", s, v)
		}
	})
}

func FuzzParseString(f *testing.F) {
	for _, s := range []string{`"Ana"`, `12`, `null`, `"\u00e3"`, `{}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseString([]byte(s))
		if err != nil {
			return
		}
		// A valid JSON string decodes as encoding/json decodes it.
		var want string
		if json.Unmarshal([]byte(s), &want) == nil && v != want {
			t.Fatalf("%q gives %q, encoding/json %q", s, v, want)
		}
	})
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026-03-01 14:05:09", "2026-03-01T14:05:09Z", "0000-00-00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTime(s, time.UTC)
		if err != nil || v.IsZero() {
			return
		}
		// What parses formats and parses back to the same second.
		back, err := ParseTime(FormatDateTime(v), v.Location())
		if err != nil || !back.Equal(v.Truncate(time.Second)) {
			t.Fatalf("%q -> %v -> %q -> %v, %v", s, v, FormatDateTime(v), back, err)
		}
	})
}

func TestText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`"a\/b"`: "a/b", `12`: "12", `null`: "", `true`: "", `{"x": [1, "y"]}`: `{"x":[1,"y"]}`, `["a"]`: `["a"]`,
	} {
		var v struct {
			M Text `json:"m"`
			N Text `json:"n"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"m":`+in+`,"n":"kept"}`), &v), in)
		assert.Equal(t, want, string(v.M), in)
		assert.Equal(t, "kept", string(v.N), "one odd field does not lose the others")
	}
}
