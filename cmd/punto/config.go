package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// A node's settings come from four places, the first that has one winning:
// the command line, an environment variable (PUNTO_ and the flag's name in
// capitals, dashes as underscores: --portal-key is PUNTO_PORTAL_KEY), the
// config file (TOML, one key per flag, named as the flag: portal-key =
// "…"), and the flag's default. It works over any flag.FlagSet, so a flag
// added to a role is a config key and an environment variable at once.

// envPrefix starts the environment variable of every flag.
const envPrefix = "PUNTO_"

// onFlags, when set (tests), is shown every flag set parseConfig parses.
var onFlags func(fs *flag.FlagSet)

// envName is the environment variable that sets a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseConfig parses args as parse does, after adding --config to fs; then
// every flag not given on the command line takes its environment variable,
// else its key in the config file, else keeps its default.
func parseConfig(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	path := fs.String("config", "", "settings `file` (TOML, keys named as the flags); flags and PUNTO_… variables override it")
	if onFlags != nil {
		onFlags(fs)
	}
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var bad error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		v := os.Getenv(name)
		if given[f.Name] || v == "" || bad != nil {
			return
		}
		if err := setFlag(f, v); err != nil {
			bad = usagef("%s: %s: %v", fs.Name(), name, err)
			return
		}
		given[f.Name] = true
	})
	if bad != nil || *path == "" {
		return bad
	}
	return applyConfigFile(fs, *path, given)
}

// applyConfigFile sets from the file at path every flag not in given. A key
// that names no flag, a value of the wrong type and one the flag refuses
// are errors naming the key and its line.
func applyConfigFile(fs *flag.FlagSet, path string, given map[string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usagef("%s: --config: %v", fs.Name(), err)
	}
	var keys map[string]any
	if _, err := toml.Decode(string(data), &keys); err != nil {
		return configError(fs, path, err)
	}
	// Decoding again into a struct with one field per key in the file runs
	// each key's check inside the TOML decoder, which then reports the key
	// and its line with whatever the check says.
	var fields []reflect.StructField
	var checks []keyCheck
	for key := range keys {
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("K%d", len(fields)),
			Type: reflect.TypeFor[keyCheck](),
			Tag:  reflect.StructTag(fmt.Sprintf(`toml:%q`, key)),
		})
		checks = append(checks, keyCheck{func(v any) error {
			if key == "config" {
				return errors.New("a config file cannot name another one")
			}
			f := fs.Lookup(key)
			if f == nil {
				return fmt.Errorf("unknown key %q: %s has no flag --%s", key, fs.Name(), key)
			}
			text, err := configText(f, v)
			if err != nil {
				return err
			}
			if given[key] {
				return nil
			}
			return setFlag(f, text)
		}})
	}
	if len(fields) == 0 {
		return nil
	}
	rv := reflect.New(reflect.StructOf(fields))
	for i, c := range checks {
		rv.Elem().Field(i).Set(reflect.ValueOf(c))
	}
	if _, err := toml.Decode(string(data), rv.Interface()); err != nil {
		return configError(fs, path, err)
	}
	return nil
}

// keyCheck checks and applies one key of the config file while the TOML
// decoder walks it.
type keyCheck struct{ apply func(any) error }

// UnmarshalTOML hands the key's value to its check.
func (k keyCheck) UnmarshalTOML(v any) error { return k.apply(v) }

// configError says where in the file a problem is.
func configError(fs *flag.FlagSet, path string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return usagef("%s: config %s: %v", fs.Name(), path, err)
	}
	if pe.LastKey != "" && !strings.Contains(pe.Message, pe.LastKey) {
		return usagef("%s: config %s:%d: %s: %s", fs.Name(), path, pe.Position.Line, pe.LastKey, pe.Message)
	}
	return usagef("%s: config %s:%d: %s", fs.Name(), path, pe.Position.Line, pe.Message)
}

// configText turns a TOML value into the text the flag parses, refusing a
// value of the wrong kind: a flag that takes a number wants a TOML number,
// a switch a TOML boolean, a duration a string such as "30s".
func configText(f *flag.Flag, v any) (string, error) {
	var want any = ""
	if g, ok := f.Value.(flag.Getter); ok {
		want = g.Get()
	}
	switch want.(type) {
	case bool:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
		return "", fmt.Errorf("must be true or false, not %s", tomlKind(v))
	case int, int64, uint, uint64:
		if n, ok := v.(int64); ok {
			return strconv.FormatInt(n, 10), nil
		}
		return "", fmt.Errorf("must be a whole number, not %s", tomlKind(v))
	case float64:
		switch n := v.(type) {
		case float64:
			return strconv.FormatFloat(n, 'g', -1, 64), nil
		case int64:
			return strconv.FormatInt(n, 10), nil
		}
		return "", fmt.Errorf("must be a number, not %s", tomlKind(v))
	case time.Duration:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return "", fmt.Errorf("must be a duration in quotes, such as \"30s\", not %s", tomlKind(v))
	}
	switch s := v.(type) {
	case string:
		return s, nil
	case []any:
		// A list flag (one that may be given more than once) takes an
		// array of strings.
		parts := make([]string, len(s))
		for i, e := range s {
			es, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("must be a list of strings, not a list holding %s", tomlKind(e))
			}
			parts[i] = es
		}
		if _, ok := f.Value.(listFlag); !ok {
			return "", errors.New("takes one value, not a list")
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("must be a string, not %s", tomlKind(v))
}

// tomlKind names the kind of a TOML value for error messages.
func tomlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "a whole number"
	case float64:
		return "a number with a fraction"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date"
	}
	return fmt.Sprintf("%T", v)
}

// setFlag sets f from text, the way the command line would.
func setFlag(f *flag.Flag, text string) error {
	if err := f.Value.Set(text); err != nil {
		return fmt.Errorf("invalid value %q for --%s: %v", text, f.Name, err)
	}
	return nil
}

// listFlag is a flag that may be given more than once; each value may also
// be a comma-separated list (so one environment variable can hold many).
type listFlag struct{ values *[]string }

// newListFlag defines a list flag on fs.
func newListFlag(fs *flag.FlagSet, name, usage string) *[]string {
	var v []string
	fs.Var(listFlag{&v}, name, usage)
	return &v
}

func (l listFlag) String() string {
	if l.values == nil {
		return ""
	}
	return strings.Join(*l.values, ",")
}

// Set adds one value, or each of a comma-separated list.
func (l listFlag) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l.values = append(*l.values, part)
		}
	}
	return nil
}
