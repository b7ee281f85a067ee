// Command hcldump parses one HCL (native syntax) or .json (HCL JSON syntax) file with hashicorp/hcl v2, evaluates
// every attribute with a fixed context, and prints a JSON document that the C# parser's test helper reproduces:
//
//	{"valid":true,"value":{"attrs":{...},"blocks":[{"type":..,"labels":[..],"body":{...}}]}}
//	{"valid":false,"diags":[{"line":..,"col":..,"summary":".."}]}
//
// Numbers are printed as big.Float Text('f', -1) so both sides compare them exactly. JSON files are read with
// JustAttributes (no schema), so their "blocks" list is always empty.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

func evalContext() *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var": cty.ObjectVal(map[string]cty.Value{
				"name":    cty.StringVal("web"),
				"count":   cty.NumberIntVal(3),
				"list":    cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")}),
				"nested":  cty.ObjectVal(map[string]cty.Value{"x": cty.ObjectVal(map[string]cty.Value{"y": cty.NumberIntVal(1)})}),
				"objs":    cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)}), cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(2)})}),
				"nothing": cty.NullVal(cty.DynamicPseudoType),
				"flag":    cty.True,
				"num":     cty.StringVal("42"),
			}),
		},
		Functions: map[string]function.Function{
			"jsonencode": stdlib.JSONEncodeFunc,
			"jsondecode": stdlib.JSONDecodeFunc,
			"upper":      stdlib.UpperFunc,
			"lower":      stdlib.LowerFunc,
			"trimspace":  stdlib.TrimSpaceFunc,
			"chomp":      stdlib.ChompFunc,
			"replace":    stdlib.ReplaceFunc,
			"split":      stdlib.SplitFunc,
			"join":       stdlib.JoinFunc,
			"concat":     stdlib.ConcatFunc,
			"length":     stdlib.LengthFunc,
			"min":        stdlib.MinFunc,
			"max":        stdlib.MaxFunc,
			"abs":        stdlib.AbsoluteFunc,
			"ceil":       stdlib.CeilFunc,
			"floor":      stdlib.FloorFunc,
			"coalesce":   stdlib.CoalesceFunc,
			"contains":   stdlib.ContainsFunc,
			"keys":       stdlib.KeysFunc,
			"values":     stdlib.ValuesFunc,
			"merge":      stdlib.MergeFunc,
			"reverse":    stdlib.ReverseListFunc,
			"tostring":   stdlib.MakeToFunc(cty.String),
			"tonumber":   stdlib.MakeToFunc(cty.Number),
			"tobool":     stdlib.MakeToFunc(cty.Bool),
		},
	}
}

type diagOut struct {
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Summary string `json:"summary"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: hcldump FILE")
		os.Exit(2)
	}
	path := os.Args[1]
	src, err := ioutil.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	var diags hcl.Diagnostics
	var value interface{}
	if strings.HasSuffix(path, ".json") {
		file, d := hcljson.Parse(src, path)
		diags = append(diags, d...)
		if !d.HasErrors() {
			attrs, d := file.Body.JustAttributes()
			diags = append(diags, d...)
			value = map[string]interface{}{"attrs": dumpAttrs(attrs, &diags), "blocks": []interface{}{}}
		}
	} else {
		file, d := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		diags = append(diags, d...)
		if !d.HasErrors() {
			value = dumpBody(file.Body.(*hclsyntax.Body), &diags)
		}
	}

	out := map[string]interface{}{}
	if diags.HasErrors() {
		list := []diagOut{}
		for _, diag := range diags {
			if diag.Severity != hcl.DiagError {
				continue
			}
			d := diagOut{Summary: diag.Summary}
			if diag.Subject != nil {
				d.Line = diag.Subject.Start.Line
				d.Col = diag.Subject.Start.Column
			}
			list = append(list, d)
		}
		out["valid"] = false
		out["diags"] = list
	} else {
		out["valid"] = true
		out["value"] = value
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Stdout.Write(buf.Bytes())
}

func dumpAttrs(attrs hcl.Attributes, diags *hcl.Diagnostics) map[string]interface{} {
	result := map[string]interface{}{}
	for name, attr := range attrs {
		v, d := attr.Expr.Value(evalContext())
		*diags = append(*diags, d...)
		result[name] = dumpValue(v)
	}
	return result
}

func dumpBody(body *hclsyntax.Body, diags *hcl.Diagnostics) map[string]interface{} {
	attrs := map[string]interface{}{}
	names := make([]string, 0, len(body.Attributes))
	for name := range body.Attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v, d := body.Attributes[name].Expr.Value(evalContext())
		*diags = append(*diags, d...)
		attrs[name] = dumpValue(v)
	}
	blocks := []interface{}{}
	for _, block := range body.Blocks {
		labels := block.Labels
		if labels == nil {
			labels = []string{}
		}
		blocks = append(blocks, map[string]interface{}{
			"type":   block.Type,
			"labels": labels,
			"body":   dumpBody(block.Body, diags),
		})
	}
	return map[string]interface{}{"attrs": attrs, "blocks": blocks}
}

func dumpValue(v cty.Value) interface{} {
	if !v.IsKnown() {
		return "<unknown>"
	}
	if v.IsNull() {
		return nil
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString()
	case ty == cty.Bool:
		return v.True()
	case ty == cty.Number:
		bf := v.AsBigFloat()
		if bf.IsInf() {
			if bf.Sign() > 0 {
				return "+Inf"
			}
			return "-Inf"
		}
		return json.Number(bf.Text('f', -1))
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		items := []interface{}{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			items = append(items, dumpValue(e))
		}
		return items
	case ty.IsMapType() || ty.IsObjectType():
		m := map[string]interface{}{}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			m[k.AsString()] = dumpValue(e)
		}
		return m
	}
	return fmt.Sprintf("<%s>", ty.FriendlyName())
}
