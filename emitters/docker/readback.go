package docker

import (
	"fmt"
	"reflect"
	"time"
)

// Dockerfile is a single-stage Dockerfile read back into plain values, as
// BuildKit's Dockerfile frontend sees it: every word that the builder
// expands has been expanded with BuildKit's own shell lexer against the
// variables set so far (the base image's, ENV's and ARG's).
type Dockerfile struct {
	// Name is a build stage's name (FROM ... AS NAME); "" for the last
	// stage, the image.
	Name string
	// Stages are the build stages before the last, in order (only the
	// last stage has them).
	Stages []*Dockerfile
	// Base is the FROM image.
	Base string
	// Ops are the build operations in order.
	Ops []Op
	// Env holds the variables set by ENV, in the order first set, with
	// their final values (the image config's Env, less the base image's).
	Env []KeyValue
	// Args are the build arguments the stage's ARG instructions set, in
	// the order first declared, each with its last value (an ARG that
	// declares one again sets it, as ENV does).
	Args []KeyValue
	// User and Workdir are the image config's User and WorkingDir as the
	// stage sets them; "" when the stage never sets them.
	User    string
	Workdir string
	// Cmd is the CMD in exec form; nil when there is none.
	Cmd []string
	// Entrypoint is the ENTRYPOINT in exec form; nil when there is none.
	Entrypoint []string
	// Expose lists the EXPOSE arguments in instruction order.
	Expose []string
	// Volumes lists the VOLUME targets in instruction order.
	Volumes []string
	// Labels lists the LABEL pairs in instruction order.
	Labels []KeyValue
	// Healthcheck is the HEALTHCHECK; nil when there is none.
	Healthcheck *Healthcheck
}

// Healthcheck is a HEALTHCHECK read back: Test in exec form (without
// "CMD"), and the options, 0 where not given.
type Healthcheck struct {
	Test                           []string
	Interval, Timeout, StartPeriod time.Duration
	Retries                        int
}

// KeyValue is one name and value.
type KeyValue struct {
	Key   string
	Value string
}

// The kinds of Op.
const (
	OpRun   = "run"   // RUN
	OpCopy  = "copy"  // COPY
	OpEnv   = "env"   // ENV
	OpArg   = "arg"   // ARG with a value: a variable of the build alone
	OpMkdir = "mkdir" // WORKDIR other than "/", which creates the directory
)

// Op is one build operation.
type Op struct {
	Kind string
	// User and Dir are the USER and WORKDIR in effect ("" when not set by
	// the stage).
	User string
	Dir  string
	// Args is a run's argv (a shell form as /bin/sh -c COMMAND).
	Args []string
	// Env is, for a run, the variables set by ENV and ARG so far (in the
	// order first set); for an env op, the variables it sets.
	Env []KeyValue
	// From, Source, Dest, Chmod and Chown describe a copy (one source;
	// From names the build stage it copies from, "" for the context).
	From   string
	Source string
	Dest   string
	Chmod  string
	Chown  string
	// Path is the directory a mkdir creates (with its parents, owned by
	// User).
	Path string
}

// SetAll sets each of vars in list, keeping the position of a name set
// before, and returns the list.
// It never modifies list's elements: the result is a new slice.
func SetAll(list, vars []KeyValue) []KeyValue {
	if len(list)+len(vars) == 0 {
		return nil
	}
	out := make([]KeyValue, len(list), len(list)+len(vars))
	copy(out, list)
	at := make(map[string]int, len(out)+len(vars))
	for i, kv := range out {
		at[kv.Key] = i
	}
	for _, v := range vars {
		if i, ok := at[v.Key]; ok {
			out[i].Value = v.Value
			continue
		}
		at[v.Key] = len(out)
		out = append(out, v)
	}
	return out
}

// diff returns "" when got says what d says, otherwise the first field
// that differs.
// sameSlice reports whether a and b are the same slice: same length and,
// when not empty, the same backing array start.
func sameSlice(a, b []KeyValue) bool {
	return len(a) == len(b) && (a == nil) == (b == nil) && (len(a) == 0 || &a[0] == &b[0])
}

func (d *Dockerfile) diff(got *Dockerfile) string {
	a, b := reflect.ValueOf(*d), reflect.ValueOf(*got)
	for i := 0; i < a.NumField(); i++ {
		name := a.Type().Field(i).Name
		if name == "Stages" {
			if len(d.Stages) != len(got.Stages) {
				return fmt.Sprintf("%d build stages instead of %d", len(got.Stages)+1, len(d.Stages)+1)
			}
			for j := range d.Stages {
				if why := d.Stages[j].diff(got.Stages[j]); why != "" {
					return "build stage " + d.Stages[j].Name + ": " + why
				}
			}
			continue
		}
		if name == "Ops" {
			if len(d.Ops) != len(got.Ops) {
				return fmt.Sprintf("%d build operations instead of %d", len(got.Ops), len(d.Ops))
			}
			// Consecutive operations share their env slice on both sides
			// until an ENV changes it: a pair of slices already found
			// equal is not compared again, so the check stays linear in
			// steps plus variables.
			var lastWant, lastGot []KeyValue
			checked := false
			for j := range d.Ops {
				w, g := d.Ops[j], got.Ops[j]
				we, ge := w.Env, g.Env
				w.Env, g.Env = nil, nil
				if !reflect.DeepEqual(w, g) {
					return fmt.Sprintf("build operation %d (%s)", j+1, d.Ops[j].Kind)
				}
				if checked && sameSlice(we, lastWant) && sameSlice(ge, lastGot) {
					continue
				}
				if !reflect.DeepEqual(we, ge) {
					return fmt.Sprintf("build operation %d (%s)", j+1, d.Ops[j].Kind)
				}
				lastWant, lastGot, checked = we, ge, true
			}
			continue
		}
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			return name
		}
	}
	return ""
}
