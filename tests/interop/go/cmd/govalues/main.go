// govalues prints, as one JSON document on stdout, what Go's strconv, fmt and time packages make of a fixed set of
// inputs: the reference the SDK's Go-compatible helpers (GoValues, GoDuration, GoJson) are tested against.
// Integers and float bits are printed as strings so that no JSON reader rounds them.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"
)

type parsed struct {
	In    string `json:"in"`
	Ok    bool   `json:"ok"`
	Value string `json:"value"`
}

type formatted struct {
	In  string `json:"in"`
	Out string `json:"out"`
}

var floatTexts = []string{
	"0", "70", "1e3", "1E3", "1e+06", "+1.5", "-2.25", ".5", "5.", "007.50", "1_000.5", "1e1_0", "0x1p-2", "0X1P-2",
	"0x1.8p1", "0x_1p0", "Inf", "+inf", "-Infinity", "NaN", "nan", "1e308", "1e309", "1e400", "-1e400", "4.9e-324",
	"1e-400", "0.1", "2.5e-5", "", " 1", "1 ", "+", "-", ".", "e5", "1e", "1e+", "1__0", "_1", "1_", "0x", "0x1",
	"0x1.8", "1.2.3", "++1", "NaN1", "infinit", "0b101", "٥",
}

var intTexts = []string{
	"0", "7", "+5", "-5", "007", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
	"-9223372036854775809", "99999999999999999999", "", "+", "-", "1.0", "1e+06", "1_000", "0x10", " 5", "5 ", "٥",
}

var floatsToFormat = []float64{
	82.0 / 70.0, 232.04804 / 70.0, 29.0 / 7.0, 0.4, 10, 0.0078125, 0.0234375, math.Copysign(0, -1), 1e22, 0.0000005,
	0.0000015, 123456789.123456789, -3.5, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64,
}

var durationsToFormat = []time.Duration{
	0, 100, 1500, 300 * time.Millisecond, 7500 * time.Millisecond, 5 * time.Minute, 90 * time.Minute,
	3723 * time.Second, -2 * time.Second, 1234567800, 100 * time.Hour, math.MaxInt64 / 100 * 100,
}

var durationTexts = []string{
	"0", "-0", "+0", "7.5s", "5m", "1h30m", "300ms", "1.5µs", "1.5μs", "1.5us", "100ns", "-1m30s", "+2h", ".5s", "5.s",
	"1h1m1s1ms1us1ns", "2562047h", "2562048h", "", "10", "5x", "m", "1e3s", "5 s", "-", ".s", "1.5.5s", "1h-1m",
}

func main() {
	out := map[string]interface{}{}

	var floats []parsed
	for _, in := range floatTexts {
		f, err := strconv.ParseFloat(in, 64)
		floats = append(floats, parsed{in, err == nil, strconv.FormatUint(math.Float64bits(f), 16)})
	}
	out["parse_float"] = floats

	var ints []parsed
	for _, in := range intTexts {
		i, err := strconv.ParseInt(in, 10, 64)
		ints = append(ints, parsed{in, err == nil, strconv.FormatInt(i, 10)})
	}
	out["parse_int"] = ints

	var percentF []formatted
	for _, f := range floatsToFormat {
		percentF = append(percentF, formatted{strconv.FormatUint(math.Float64bits(f), 16), fmt.Sprintf("%f", f)})
	}
	out["format_percent_f"] = percentF

	var durationStrings []formatted
	for _, d := range durationsToFormat {
		durationStrings = append(durationStrings, formatted{strconv.FormatInt(int64(d), 10), d.String()})
	}
	out["duration_string"] = durationStrings

	var durations []parsed
	for _, in := range durationTexts {
		d, err := time.ParseDuration(in)
		durations = append(durations, parsed{in, err == nil, strconv.FormatInt(int64(d), 10)})
	}
	out["parse_duration"] = durations

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
