// pack-render renders a Nomad Pack's templates the way nomad-pack does, with Go's text/template and the helper
// functions the project's pack uses, implemented as nomad-pack (and the sprig library it includes) defines them.
// nomad-pack itself cannot be installed on CI; this keeps its rendering rules testable with the standard library.
//
// Usage: pack-render -pack DIR -context FILE -out DIR
//
// The context file is JSON: {"vars": {name: value}, "meta": {"pack.name": ..., ...}}. The caller resolves the
// variables (defaults from variables.hcl, overridden by a var file) because that needs an HCL parser.
// Every templates/*.tpl is parsed into one template set with nomad-pack's [[ ]] delimiters; each file whose name does
// not start with "_" is rendered to DIR under its name minus ".tpl".
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
)

type packContext struct {
	Vars map[string]any    `json:"vars"`
	Meta map[string]string `json:"meta"`
}

func funcs() template.FuncMap {
	return template.FuncMap{
		// nomad-pack: [[ var "name" . ]] is the value of the current pack's variable; an unknown one is an error.
		"var": func(name string, ctx *packContext) (any, error) {
			v, ok := ctx.Vars[name]
			if !ok {
				return nil, fmt.Errorf("variable %q is not defined", name)
			}
			return v, nil
		},
		// nomad-pack: [[ meta "pack.name" . ]] reads the pack's metadata.hcl.
		"meta": func(key string, ctx *packContext) (string, error) {
			v, ok := ctx.Meta[key]
			if !ok {
				return "", fmt.Errorf("metadata %q is not defined", key)
			}
			return v, nil
		},
		// nomad-pack: a list as an HCL list of quoted strings, e.g. ["dc1", "dc2"].
		"toStringList": func(l []any) (string, error) {
			var out strings.Builder
			out.WriteRune('[')
			for i, v := range l {
				if i > 0 {
					out.WriteString(", ")
				}
				out.WriteString(fmt.Sprintf("%q", v))
			}
			out.WriteRune(']')
			return out.String(), nil
		},
		// sprig: each non-nil argument as a Go-quoted string, joined with spaces.
		"quote": func(str ...any) string {
			out := make([]string, 0, len(str))
			for _, s := range str {
				if s != nil {
					out = append(out, fmt.Sprintf("%q", strval(s)))
				}
			}
			return strings.Join(out, " ")
		},
	}
}

// strval is sprig's string conversion.
func strval(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case error:
		return v.Error()
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprintf("%v", v)
	}
}

func main() {
	packDir := flag.String("pack", "", "the pack directory (with templates/)")
	contextFile := flag.String("context", "", "JSON file with the resolved vars and meta")
	outDir := flag.String("out", "", "where the rendered files go")
	flag.Parse()
	if *packDir == "" || *contextFile == "" || *outDir == "" {
		fmt.Fprintln(os.Stderr, "usage: pack-render -pack DIR -context FILE -out DIR")
		os.Exit(2)
	}
	if err := run(*packDir, *contextFile, *outDir); err != nil {
		fmt.Fprintln(os.Stderr, "pack-render:", err)
		os.Exit(1)
	}
}

func run(packDir, contextFile, outDir string) error {
	raw, err := os.ReadFile(contextFile)
	if err != nil {
		return err
	}
	var ctx packContext
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	if err := decoder.Decode(&ctx); err != nil {
		return fmt.Errorf("%s: %w", contextFile, err)
	}
	files, err := filepath.Glob(filepath.Join(packDir, "templates", "*.tpl"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no templates in %s", filepath.Join(packDir, "templates"))
	}
	sort.Strings(files)
	set := template.New("pack").Delims("[[", "]]").Funcs(funcs()).Option("missingkey=error")
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if _, err := set.New(filepath.Base(file)).Parse(string(text)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	for _, file := range files {
		name := filepath.Base(file)
		if strings.HasPrefix(name, "_") {
			continue
		}
		var out bytes.Buffer
		if err := set.ExecuteTemplate(&out, name, &ctx); err != nil {
			return err
		}
		target := filepath.Join(outDir, strings.TrimSuffix(name, ".tpl"))
		if err := os.WriteFile(target, out.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Println(target)
	}
	return nil
}
