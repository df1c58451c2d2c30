// Package cli holds the few lines of command-line plumbing the example
// programs in examples/ (and the relay's) share: the -h text (what the
// program does, the variables that point it at a real server, how to run it
// on the sandbox, then the flags), flag parsing that refuses stray
// arguments, the "set all of these variables or none of them" check that
// chooses between a real server and the embedded sandbox, indented JSON
// output, and the São Paulo time zone.
//
// Each helper is a handful of standard-library lines. A team that copies an
// example out of this module copies the helpers it calls along with it (or
// inlines them); nothing here depends on leadkit.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// The exit statuses every example uses.
const (
	ExitOK       = 0 // done (and -h)
	ExitAPIError = 1 // the API, the network or the environment failed
	ExitUsage    = 2 // bad flags or configuration
)

// Help is what a program's -h prints before its flags, so that every
// program explains itself the same way.
type Help struct {
	// What is one sentence saying what the program does, printed first.
	What string
	// Run is how to run the program (default "go run ./examples/<name>").
	Run string
	// EnvTitle heads the Env list (default: a real server's variables, to
	// be set all or none).
	EnvTitle string
	// Env are the environment variables the program reads to reach a real
	// server (or that it prints, for a server of its own).
	Env []Var
	// Sandbox says how to run the program on the sandbox, one line each.
	Sandbox []string
	// Examples are command lines.
	Examples []string
}

// Var is an environment variable and what it holds.
type Var struct {
	Name, About string
}

// Use makes h fs's usage: fs's -h prints h, then fs's flags.
func (h Help) Use(fs *flag.FlagSet) {
	fs.Usage = func() { h.write(fs.Output(), fs) }
}

func (h Help) write(w io.Writer, fs *flag.FlagSet) {
	run := h.Run
	if run == "" {
		run = "go run ./examples/" + fs.Name()
	}
	fmt.Fprintf(w, "%s\n\nUsage:\n  %s [flags]\n", h.What, run)
	if len(h.Env) > 0 {
		title := h.EnvTitle
		if title == "" {
			title = "Environment (a real server: set all of them, or none to use the sandbox)"
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, v := range h.Env {
			fmt.Fprintf(tw, "  %s\t%s\n", v.Name, v.About)
		}
		_ = tw.Flush()
	}
	for _, sec := range []struct {
		title string
		lines []string
	}{{"Sandbox", h.Sandbox}, {"Examples", h.Examples}} {
		if len(sec.lines) > 0 {
			fmt.Fprintf(w, "\n%s:\n  %s\n", sec.title, strings.Join(sec.lines, "\n  "))
		}
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.PrintDefaults()
}

var (
	sentence = regexp.MustCompile(`^[A-Z][^\n]*\.$`)
	envVar   = regexp.MustCompile(`\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b`)
)

// CheckHelp reports what is wrong with a program's -h output: its first
// line must be a sentence saying what the program does, and it must name
// at least one environment variable. The examples' tests run it on every
// program.
func CheckHelp(out string) error {
	first, _, _ := strings.Cut(strings.TrimLeft(out, "\n"), "\n")
	switch {
	case !sentence.MatchString(first) || len(strings.Fields(first)) < 4 || strings.HasPrefix(first, "Usage"):
		return fmt.Errorf("the first line of -h is not a sentence saying what the program does: %q", first)
	case !envVar.MatchString(out):
		return errors.New("-h names no environment variable")
	}
	return nil
}

// Parse parses args with fs and refuses positional arguments. When ok is
// false the program exits with code: ExitOK after -h (the usage was
// printed), ExitUsage after a bad flag or an unexpected argument (the
// reason was printed to fs.Output(), prefixed with the program's name). fs
// should be made with flag.ContinueOnError.
func Parse(fs *flag.FlagSet, args []string) (ok bool, code int) {
	out := fs.Output()
	var buf strings.Builder
	fs.SetOutput(&buf) // the flag package's own message, to prefix it
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(out, buf.String())
		return false, ExitOK
	}
	if err != nil {
		fmt.Fprintf(out, "%s: %v\n", fs.Name(), err)
		if i := strings.Index(buf.String(), "\n"); i >= 0 {
			fmt.Fprint(out, buf.String()[i+1:]) // the usage, after the flag package's own line
		}
		return false, ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(out, "%s: unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args(), " "))
		return false, ExitUsage
	}
	return true, ExitOK
}

// Usagef prints "<prog>: <message>" for bad usage and returns ExitUsage.
func Usagef(w io.Writer, prog, format string, args ...any) int {
	fmt.Fprintf(w, "%s: %s\n", prog, fmt.Sprintf(format, args...))
	return ExitUsage
}

// Failf prints "<prog>: <message>" for a failed call and returns
// ExitAPIError.
func Failf(w io.Writer, prog, format string, args ...any) int {
	fmt.Fprintf(w, "%s: %s\n", prog, fmt.Sprintf(format, args...))
	return ExitAPIError
}

// SandboxNotice prints the one line every example prints when it uses its
// embedded sandbox because the variables vars are not set.
func SandboxNotice(w io.Writer, prog, url string, vars ...string) {
	fmt.Fprintf(w, "%s: %s not set: using the embedded sandbox at %s\n", prog, strings.Join(vars, ", "), url)
}

// Time returns t formatted with layout, or "" for the zero time (no date is
// printed for "never").
func Time(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(layout)
}

// TimePtr returns &t, or nil for the zero time, for JSON output that leaves
// "never" out instead of printing 0001-01-01.
func TimePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Progress prints progress lines on stderr for work that takes longer than
// a second (paging, waits): nothing during the first second, then at most
// one line a second. It is safe for concurrent use.
type Progress struct {
	w     io.Writer
	prog  string
	start time.Time
	mu    sync.Mutex
	last  time.Time
}

// NewProgress starts the clock of a Progress.
func NewProgress(w io.Writer, prog string) *Progress {
	return &Progress{w: w, prog: prog, start: time.Now()}
}

// Printf prints "<prog>: <message>" when the work has run over a second
// and no line was printed in the last second.
func (p *Progress) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.start) < time.Second || now.Sub(p.last) < time.Second {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "%s: %s\n", p.prog, fmt.Sprintf(format, args...))
}

// WaitLogger returns a logger for a client's WithLogger that prints a
// progress line for every wait the client announces (zen's rate-limit
// waits), and nothing else.
func WaitLogger(w io.Writer, prog string) *slog.Logger {
	return slog.New(&waitHandler{w: w, prog: prog})
}

type waitHandler struct {
	w    io.Writer
	prog string
}

func (h *waitHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *waitHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *waitHandler) WithGroup(string) slog.Handler            { return h }
func (h *waitHandler) Handle(_ context.Context, r slog.Record) error {
	if !strings.Contains(r.Message, "wait") {
		return nil
	}
	var d time.Duration
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "wait" {
			d = a.Value.Duration()
		}
		return true
	})
	if d < time.Second {
		return nil
	}
	fmt.Fprintf(h.w, "%s: waiting %s for the vendor's rate window\n", h.prog, d.Round(time.Second))
	return nil
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
