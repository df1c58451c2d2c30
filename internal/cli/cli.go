// Package cli holds the few lines of command-line plumbing the example
// programs in examples/ share: flag parsing that refuses stray arguments,
// the "set all of these variables or none of them" check that chooses
// between a real server and the embedded sandbox, indented JSON output, and
// the São Paulo time zone.
//
// Each helper is a handful of standard-library lines. A team that copies an
// example out of this module copies the helpers it calls along with it (or
// inlines them); nothing here depends on leadkit.
package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Parse parses args with fs and refuses positional arguments. On false the
// reason has been printed to fs.Output() (for an unexpected argument as
// "<fs name>: unexpected arguments: ...") and the program should exit with
// status 2, bad usage. fs should be made with flag.ContinueOnError.
func Parse(fs *flag.FlagSet, args []string) bool {
	if err := fs.Parse(args); err != nil {
		return false // the flag package has printed the error and the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return false
	}
	return true
}

// AllOrNone reads the environment variables names through getenv and
// returns their values in the same order. Either every variable is set (run
// against that server) or none is (all values are "": use the sandbox);
// when only some are set the error names them all.
func AllOrNone(getenv func(string) string, names ...string) ([]string, error) {
	vals := make([]string, len(names))
	set := 0
	for i, n := range names {
		if vals[i] = getenv(n); vals[i] != "" {
			set++
		}
	}
	if set == 0 || set == len(names) {
		return vals, nil
	}
	if len(names) == 2 {
		return nil, fmt.Errorf("set both %s and %s, or neither to use the sandbox", names[0], names[1])
	}
	return nil, fmt.Errorf("set %s and %s, or none of them to use the sandbox",
		strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}

// PrintJSON writes v to w as indented JSON followed by a newline.
func PrintJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// SaoPaulo returns the America/Sao_Paulo zone, or a fixed UTC-3 zone when
// the system has no time zone database (Brazil has kept UTC-3 all year
// since 2019).
func SaoPaulo() *time.Location {
	if loc, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return loc
	}
	return time.FixedZone("-03", -3*60*60)
}
