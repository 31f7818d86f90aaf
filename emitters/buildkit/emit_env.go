package buildkit

import (
	"fmt"
	"strings"

	"github.com/envc-dev/envc/compiler/ir"
	"github.com/envc-dev/envc/emitters"
)

// envVar is one NAME=value entry of the environment.
type envVar struct {
	name, value string
	// fromBase is set while the value is the base image's own.
	fromBase bool
}

// envState is the environment as the build sees it: the base image's env,
// then every var set so far. It keeps the order of an image config's Env,
// where setting a var again replaces it in place (dockerfile2llb's addEnv),
// and, for exec ops, the order of each var's last setting (the order
// client/llb's EnvList gives).
type envState struct {
	config []envVar
	index  map[string]int // name -> position in config
	// assumed is set when the base image's env is unknown and PATH alone
	// was assumed.
	assumed bool
	// execOrder holds the names in the order of their last setting ("" for
	// a name set again later); execPos is each name's place in it.
	execOrder []string
	execPos   map[string]int
	// list is the exec ops' env, shared until the next setting.
	list *envList
	// buildOnly marks the names set for the build alone: the exec ops
	// see them, the image config does not.
	buildOnly map[string]bool
}

func newEnvState(base []string) *envState {
	e := &envState{index: map[string]int{}, execPos: map[string]int{}}
	if base == nil {
		e.assumed = true
		base = []string{"PATH=" + emitters.DefaultPath}
	}
	for _, kv := range base {
		name, value, _ := strings.Cut(kv, "=")
		if name == "" {
			continue
		}
		e.set(name, value, true)
	}
	// dockerfile2llb makes sure PATH is always set.
	if _, ok := e.lookup("PATH"); !ok {
		e.set("PATH", emitters.DefaultPath, true)
	}
	// The state starts from the base's env in config order (as
	// dockerfile2llb adds it), where a name the base lists twice keeps its
	// first place; set moved it to the end.
	e.execOrder, e.execPos = e.execOrder[:0], map[string]int{}
	for i, v := range e.config {
		e.execOrder = append(e.execOrder, v.name)
		e.execPos[v.name] = i
	}
	return e
}

func (e *envState) lookup(name string) (envVar, bool) {
	if i, ok := e.index[name]; ok {
		return e.config[i], true
	}
	return envVar{}, false
}

func (e *envState) set(name, value string, fromBase bool) {
	v := envVar{name: name, value: value, fromBase: fromBase}
	if i, ok := e.index[name]; ok {
		e.config[i] = v
	} else {
		e.index[name] = len(e.config)
		e.config = append(e.config, v)
	}
	if i, ok := e.execPos[name]; ok {
		e.execOrder[i] = ""
	}
	e.execPos[name] = len(e.execOrder)
	e.execOrder = append(e.execOrder, name)
	e.list = nil
}

// strings returns the env as NAME=value entries, in image config order,
// less the variables of the build alone.
func (e *envState) strings() []string {
	out := make([]string, 0, len(e.config))
	for _, v := range e.config {
		if !e.buildOnly[v.name] {
			out = append(out, v.name+"="+v.value)
		}
	}
	return out
}

// execEnv returns the env an exec op sees now.
func (e *envState) execEnv() *envList {
	if e.list == nil {
		entries := make([]string, 0, len(e.config))
		for _, name := range e.execOrder {
			if name != "" {
				entries = append(entries, name+"="+e.config[e.index[name]].value)
			}
		}
		e.list = &envList{entries: entries}
	}
	return e.list
}

// expand returns v's value with every reference replaced by the value the
// build sees at this point, warning where that value is a guess or empty.
// Each reference warns once per var.
func (b *builder) expand(v ir.EnvVar) string {
	warned := map[string]bool{}
	return v.Value.Expand(func(name string) string {
		cur, ok := b.vars.lookup(name)
		if warned[name] {
			return cur.value
		}
		switch {
		case b.vars.assumed && (!ok || cur.fromBase):
			taken := "taken as empty"
			if ok {
				taken = fmt.Sprintf("taken as %q", cur.value)
			}
			b.diags = append(b.diags, emitters.RuleLLBBaseEnvAssumed.Warn(v.Range,
				fmt.Sprintf("%s refers to ${%s}, %s", v.Name, name, taken)))
			warned[name] = true
		case !ok:
			b.diags = append(b.diags, emitters.RuleLLBEnvRefUnset.Warn(v.Range,
				fmt.Sprintf("%s refers to ${%s}", v.Name, name)))
			warned[name] = true
		}
		return cur.value
	})
}

// setEnv expands v and makes it visible to every later step and, unless
// buildOnly (an ARG to dockerfile2llb), to the run command.
func (b *builder) setEnv(v ir.EnvVar, buildOnly bool) {
	value := b.expand(v)
	b.vars.set(v.Name, value, false)
	if buildOnly {
		if b.vars.buildOnly == nil {
			b.vars.buildOnly = map[string]bool{}
		}
		b.vars.buildOnly[v.Name] = true
	}
}
