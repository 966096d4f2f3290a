// Package tap stands in for github.com/mndrix/tap-go, which Debian does not
// package: it produces TAP version 13 with the calls the runtime-tools
// validation programs make (New, Header, Ok, Pass, Fail, Skip, Todo, Count,
// AutoPlan, Diagnostic, Diagnosticf, YAML). Written for hull's conformance
// phase; see tests/conformance/build-suite.sh.
package tap

import (
	"fmt"
	"io"
	"os"
	"strings"

	yaml "gopkg.in/yaml.v2"
)

// T writes one TAP stream. Copies made by Todo share the test counter.
type T struct {
	counter *int
	// TODO: results reported through this producer carry "# TODO".
	TODO bool
	// Writer receives the stream (os.Stdout when nil).
	Writer io.Writer
}

// New returns a producer on standard output, numbering from 1.
func New() *T {
	return &T{counter: new(int), Writer: os.Stdout}
}

func (t *T) out() io.Writer {
	if t.Writer == nil {
		return os.Stdout
	}
	return t.Writer
}

func (t *T) line(s string) { io.WriteString(t.out(), s+"\n") }

// clean keeps a description on one line and out of the directive syntax.
func clean(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "#", `\#`, "\n", " ", "\r", " ")
	return r.Replace(s)
}

// Header starts the stream; a positive count also prints the plan.
func (t *T) Header(count int) {
	t.line("TAP version 13")
	if count > 0 {
		t.line(fmt.Sprintf("1..%d", count))
	}
}

// Ok records one result.
func (t *T) Ok(pass bool, description string) {
	*t.counter++
	status := "not ok"
	if pass {
		status = "ok"
	}
	s := fmt.Sprintf("%s %d", status, *t.counter)
	switch {
	case t.TODO:
		s += " # TODO " + clean(description)
	case description != "":
		s += " - " + clean(description)
	}
	t.line(s)
}

// Pass records a success.
func (t *T) Pass(description string) { t.Ok(true, description) }

// Fail records a failure.
func (t *T) Fail(description string) { t.Ok(false, description) }

// Skip records n skipped results.
func (t *T) Skip(n int, reason string) {
	for ; n > 0; n-- {
		*t.counter++
		t.line(fmt.Sprintf("ok %d # SKIP %s", *t.counter, clean(reason)))
	}
}

// Todo returns a producer on the same stream whose results are TODO.
func (t *T) Todo() *T {
	return &T{counter: t.counter, TODO: true, Writer: t.Writer}
}

// Count is the number of results so far.
func (t *T) Count() int { return *t.counter }

// AutoPlan prints the plan after the fact.
func (t *T) AutoPlan() { t.line(fmt.Sprintf("1..%d", *t.counter)) }

// Diagnostic prints a comment, one "# " line per line of text.
func (t *T) Diagnostic(text string) {
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		t.line("# " + l)
	}
}

// Diagnosticf formats, then prints a comment.
func (t *T) Diagnosticf(format string, args ...interface{}) {
	t.Diagnostic(fmt.Sprintf(format, args...))
}

// YAML prints value as an indented YAML block ("  ---" ... "  ...").
func (t *T) YAML(value interface{}) error {
	data, err := yaml.Marshal(value)
	if err != nil {
		return err
	}
	t.line("  ---")
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		t.line("  " + l)
	}
	t.line("  ...")
	return nil
}
