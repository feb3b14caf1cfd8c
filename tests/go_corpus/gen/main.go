// Command gen renders every template of the Go-parity corpus with Go's
// html/template and writes the reference output.
//
// Usage: go run . [CORPUS_DIR]   (CORPUS_DIR defaults to "..", i.e. tests/go_corpus)
//
// For each templates/NAME.html it reads data/NAME.json (one JSON object),
// decodes it with UseNumber and converts it recursively (integer-looking
// numbers -> int, other numbers -> float64, objects -> map[string]any,
// arrays -> []any), parses the template with funcMap and
// Option("missingkey=error"),
// executes it and writes expected/NAME.html byte for byte. Any error is fatal.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// funcMap is the FuncMap every template is parsed with. tests/go_parity.rs
// registers Rust functions of the same names and meaning (`funcs(…)`).
var funcMap = template.FuncMap{
	"add":   func(a, b int) int { return a + b },
	"sub":   func(a, b int) int { return a - b },
	"upper": strings.ToUpper,
	// until n is 0, 1, …, n-1 (as in sprig).
	"until": func(n int) []int {
		out := make([]int, 0, n)
		for i := 0; i < n; i++ {
			out = append(out, i)
		}
		return out
	},
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "go_corpus gen: "+format+"\n", args...)
	os.Exit(1)
}

// convert turns the output of a UseNumber decoder into plain Go values.
func convert(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return int(i), nil
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q: %v", x, err)
		}
		return f, nil
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			c, err := convert(e)
			if err != nil {
				return nil, err
			}
			m[k] = c
		}
		return m, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := convert(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case string, bool, nil:
		return x, nil
	default:
		return nil, fmt.Errorf("unexpected JSON value of type %T", v)
	}
}

func loadData(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON object")
	}
	c, err := convert(v)
	if err != nil {
		return nil, err
	}
	m, ok := c.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top-level JSON value is %T, want an object", c)
	}
	return m, nil
}

func main() {
	dir := ".."
	if len(os.Args) > 2 {
		fail("usage: gen [CORPUS_DIR]")
	}
	if len(os.Args) == 2 {
		dir = os.Args[1]
	}
	tmplDir := filepath.Join(dir, "templates")
	dataDir := filepath.Join(dir, "data")
	outDir := filepath.Join(dir, "expected")

	tmpls, err := filepath.Glob(filepath.Join(tmplDir, "*.html"))
	if err != nil {
		fail("%v", err)
	}
	if len(tmpls) == 0 {
		fail("no templates in %s", tmplDir)
	}
	sort.Strings(tmpls)

	// Every data file must belong to a template.
	datas, err := filepath.Glob(filepath.Join(dataDir, "*.json"))
	if err != nil {
		fail("%v", err)
	}
	names := map[string]bool{}
	for _, t := range tmpls {
		names[strings.TrimSuffix(filepath.Base(t), ".html")] = true
	}
	for _, d := range datas {
		if n := strings.TrimSuffix(filepath.Base(d), ".json"); !names[n] {
			fail("data/%s.json has no template", n)
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		fail("%v", err)
	}

	for _, t := range tmpls {
		name := strings.TrimSuffix(filepath.Base(t), ".html")
		src, err := os.ReadFile(t)
		if err != nil {
			fail("%s: %v", name, err)
		}
		data, err := loadData(filepath.Join(dataDir, name+".json"))
		if err != nil {
			fail("%s: data: %v", name, err)
		}
		tpl, err := template.New(name).Funcs(funcMap).Option("missingkey=error").Parse(string(src))
		if err != nil {
			fail("%s: parse: %v", name, err)
		}
		var out bytes.Buffer
		if err := tpl.Execute(&out, data); err != nil {
			fail("%s: execute: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(outDir, name+".html"), out.Bytes(), 0o644); err != nil {
			fail("%s: %v", name, err)
		}
		fmt.Printf("%-22s %6d bytes\n", name, out.Len())
	}
	fmt.Printf("%d templates rendered with %s\n", len(tmpls), goVersion())
}
