package cli

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Counts shows a program's live counts on w: redrawn in place on a
// terminal; otherwise a line when the counts change, at most once a second
// (and always the last one), so a log or a pipe stays readable.
type Counts struct {
	w      io.Writer
	live   bool
	last   string
	lastAt time.Time
}

// NewCounts returns a Counts writing to w.
func NewCounts(w io.Writer) *Counts { return &Counts{w: w, live: IsTerminal(w)} }

// Show writes line; done says it is the last one.
func (p *Counts) Show(line string, done bool) {
	switch {
	case p.live:
		fmt.Fprintf(p.w, "\r%s ", line)
	case line != p.last && (done || time.Since(p.lastAt) >= time.Second):
		fmt.Fprintln(p.w, line)
		p.last, p.lastAt = line, time.Now()
	}
}

// End ends a line redrawn in place, so that what follows starts on its own.
func (p *Counts) End() {
	if p.live {
		fmt.Fprintln(p.w)
	}
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
