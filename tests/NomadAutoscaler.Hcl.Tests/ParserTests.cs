namespace NomadAutoscaler.Hcl.Tests;

public sealed class ParserTests
{
    private static HclValue Eval(string expression)
    {
        var file = HclParser.Parse("v = " + expression + "\n", "t.hcl");
        Assert.False(file.HasErrors, file.Diagnostics.ToString());
        var attributes = file.Body.JustAttributes(new HclDiagnostics());
        return attributes["v"].Expression.Evaluate(HclDump.Context());
    }

    [Theory]
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("10 - 4 - 3", "3")]
    [InlineData("100 / 10 / 5", "2")]
    [InlineData("-2 * -3", "6")]
    [InlineData("1e6", "1000000")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("7 / 2", "3.5")]
    [InlineData("-7 % 3", "-1")]
    [InlineData("1 / 0", "+Inf")]
    public void Arithmetic_follows_hcl_precedence_and_precision(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression).AsNumberText());
    }

    [Fact]
    public void One_third_prints_at_512_bit_precision()
    {
        var text = Eval("1 / 3").AsNumberText();
        Assert.StartsWith("0.33333333333333333333", text, StringComparison.Ordinal);
        Assert.True(text.Length > 100, text);
    }

    [Theory]
    [InlineData("true || false && false", true)]
    [InlineData("!true || true", true)]
    [InlineData("1 < 2 == true", true)]
    [InlineData("1 == \"1\"", false)]
    [InlineData("[1, 2] == [1, 2]", true)]
    public void Logic_and_comparison(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression).AsBool());
    }

    [Theory]
    [InlineData("\"a ${var.name} b\"", "a web b")]
    [InlineData("\"%{if var.flag}yes%{else}no%{endif}\"", "yes")]
    [InlineData("\"%{for i, x in var.list}${i}${x}%{endfor}\"", "0a1b2c")]
    [InlineData("\"a  ${~ \"b\" ~}  c\"", "abc")]
    [InlineData("\"$${x} %%{y}\"", "${x} %{y}")]
    [InlineData("\"\\u00e9\\t\\\"\"", "\u00e9\t\"")]
    [InlineData("upper(\"abc\")", "ABC")]
    [InlineData("jsonencode({b = [1, true], a = \"<\"})", "{\"a\":\"\\u003c\",\"b\":[1,true]}")]
    public void Templates_and_functions(string expression, string expected)
    {
        Assert.Equal(expected, Eval(expression).AsString());
    }

    [Fact]
    public void Single_interpolation_keeps_its_type()
    {
        Assert.Equal(HclValueKind.Number, Eval("\"${var.count}\"").Kind);
    }

    [Fact]
    public void Flush_heredoc_strips_common_indentation()
    {
        var file = HclParser.Parse("a = <<-EOT\n    Foo\n      Bar\n    EOT\nb = <<EOT\n  x\nEOT\n", "t.hcl");
        var attributes = file.Body.JustAttributes(new HclDiagnostics());
        Assert.Equal("Foo\n  Bar\n", attributes["a"].Expression.Evaluate().AsString());
        Assert.Equal("  x\n", attributes["b"].Expression.Evaluate().AsString());
    }

    [Fact]
    public void Splats_and_for_expressions()
    {
        Assert.Equal("[1,2]", Eval("var.objs[*].n").ToJson());
        Assert.Equal("[1,2]", Eval("var.objs.*.n").ToJson());
        Assert.Equal("[]", Eval("var.nothing[*]").ToJson());
        Assert.Equal("[2,4]", Eval("[for x in [1, 2, 3, 4] : x if x % 2 == 0]").ToJson());
        Assert.Equal("{\"a\":[\"a\",\"a\"],\"b\":[\"b\"]}", Eval("{for x in [\"a\", \"b\", \"a\"] : x => x...}").ToJson());
    }

    [Fact]
    public void Duplicate_attribute_is_reported_with_both_positions()
    {
        var file = HclParser.Parse("a = 1\nb = 2\na = 3\n", "dup.hcl");
        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal("Attribute redefined", diagnostic.Summary);
        Assert.Equal(3, diagnostic.Subject!.Value.Start.Line);
        Assert.Contains("dup.hcl:1,1-2", diagnostic.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostic_renders_file_line_columns_source_and_caret()
    {
        var file = HclParser.Parse("a = 1\nbb = \"x\\q\"\n", "cfg.hcl");
        var diagnostic = Assert.Single(file.Diagnostics);
        Assert.Equal("cfg.hcl:2,8-10: Invalid escape sequence; The symbol \"q\" is not a valid escape sequence selector.", diagnostic.Message);
        var lines = diagnostic.ToString().Split('\n');
        Assert.Equal("  2 | bb = \"x\\q\"", lines[1]);
        Assert.Equal("             ^^", lines[2]);
    }

    [Fact]
    public void Parser_reports_several_errors_in_one_file()
    {
        var file = HclParser.Parse("a = \nb = 1\nc = )\nd = 2\n", "multi.hcl");
        Assert.True(file.Diagnostics.Count >= 2, file.Diagnostics.ToString());
        // The missing value is reported at the end of line 1, as hcl does.
        Assert.Equal([1, 3], file.Diagnostics.Take(2).Select(d => d.Subject!.Value.Start.Line));
    }

    [Fact]
    public void Content_reports_unknown_items_with_suggestions_and_missing_required()
    {
        var file = HclParser.Parse("scaling \"p\" {\n  enabeld = true\n  polcy {\n  }\n}\n", "p.hcl");
        var diagnostics = new HclDiagnostics();
        var top = file.Body.Content(new HclBodySchema(blocks: [new HclBlockSchema("scaling", "name")]), diagnostics);
        var scaling = Assert.Single(top.BlocksOfType("scaling"));
        Assert.Equal("p", scaling.Labels[0]);
        scaling.Body.Content(
            new HclBodySchema([new HclAttributeSchema("enabled"), new HclAttributeSchema("max", Required: true)], [new HclBlockSchema("policy")]),
            diagnostics);
        var messages = diagnostics.Select(d => d.Message).ToList();
        Assert.Contains("p.hcl:1,13-14: Missing required argument; The argument \"max\" is required, but no definition was found.", messages);
        Assert.Contains("p.hcl:2,3-10: Unsupported argument; An argument named \"enabeld\" is not expected here. Did you mean \"enabled\"?", messages);
        Assert.Contains("p.hcl:3,3-8: Unsupported block type; Blocks of type \"polcy\" are not expected here. Did you mean \"policy\"?", messages);
    }

    [Fact]
    public void Wrong_label_count_is_reported()
    {
        var file = HclParser.Parse("scaling {\n}\n", "p.hcl");
        var diagnostics = new HclDiagnostics();
        var content = file.Body.Content(new HclBodySchema(blocks: [new HclBlockSchema("scaling", "name")]), diagnostics);
        Assert.Empty(content.Blocks);
        Assert.Equal("Missing name for scaling", Assert.Single(diagnostics).Summary);
    }

    [Fact]
    public void Json_body_decodes_blocks_and_attributes_with_a_schema()
    {
        var file = HclParser.ParseJson("{\"log_level\": \"debug\", \"apm\": {\"prom\": {\"driver\": \"prometheus\"}}, \"typo\": 1}", "a.json");
        Assert.False(file.HasErrors);
        var diagnostics = new HclDiagnostics();
        var content = file.Body.Content(
            new HclBodySchema([new HclAttributeSchema("log_level")], [new HclBlockSchema("apm", "name")]), diagnostics);
        Assert.Equal("debug", content.Attributes["log_level"].Expression.Evaluate().AsString());
        var apm = Assert.Single(content.Blocks);
        Assert.Equal(["prom"], apm.Labels);
        var inner = apm.Body.Content(new HclBodySchema([new HclAttributeSchema("driver", Required: true)]), diagnostics);
        Assert.Equal("prometheus", inner.Attributes["driver"].Expression.Evaluate().AsString());
        var error = Assert.Single(diagnostics);
        Assert.Equal("Extraneous JSON object property", error.Summary);
        Assert.Equal(1, error.Subject!.Value.Start.Line);
    }

    [Fact]
    public void Json_strings_are_templates_only_with_a_context()
    {
        var file = HclParser.ParseJson("{\"a\": \"x-${var.name}\"}", "a.json");
        var attribute = file.Body.JustAttributes(new HclDiagnostics())["a"];
        Assert.Equal("x-${var.name}", attribute.Expression.Evaluate().AsString());
        Assert.Equal("x-web", attribute.Expression.Evaluate(HclDump.Context()).AsString());
    }

    [Fact]
    public void Values_convert_like_cty()
    {
        Assert.True(Eval("70").TryConvert(HclValueKind.String, out var text));
        Assert.Equal("70", text.AsString());
        Assert.True(Eval("\"12\"").TryConvert(HclValueKind.Number, out var number));
        Assert.True(number.TryGetInt32(out var value) && value == 12);
        Assert.False(Eval("[1]").TryConvert(HclValueKind.String, out _));
        Assert.False(Eval("1.5").TryGetInt64(out _));
    }

    [Fact]
    public void Evaluate_without_context_rejects_variables_and_functions()
    {
        var file = HclParser.Parse("a = var.x\nb = upper(\"x\")\n", "t.hcl");
        var attributes = file.Body.JustAttributes(new HclDiagnostics());
        var diagnostics = new HclDiagnostics();
        attributes["a"].Evaluate(null, diagnostics);
        attributes["b"].Evaluate(null, diagnostics);
        Assert.Equal(["Variables not allowed", "Function calls not allowed"], diagnostics.Select(d => d.Summary));
    }

    [Fact]
    public void Hostile_nesting_yields_a_diagnostic_not_a_crash()
    {
        var file = HclParser.Parse("a = " + new string('[', 100_000) + "\n", "deep.hcl");
        Assert.Contains(file.Diagnostics, d => d.Summary == "Nesting too deep");
    }

    // The corners below are in tests/oracle/corpus (corner_*.hcl) too, where Go's hcl v2 checks them; these keep
    // the expected results where the oracle is not built.
    private static (HclValue? Value, HclDiagnostics Diagnostics) Evaluate(string expression)
    {
        var file = HclParser.Parse("v = " + expression + "\n", "t.hcl");
        var diagnostics = new HclDiagnostics();
        diagnostics.AddRange(file.Diagnostics);
        if (diagnostics.HasErrors) return (null, diagnostics);
        var value = file.Body.JustAttributes(diagnostics)["v"].Expression.Evaluate(HclDump.Context(), diagnostics);
        return (diagnostics.HasErrors ? null : value, diagnostics);
    }

    [Fact]
    public void A_byte_order_mark_at_the_start_is_skipped_and_anywhere_else_refused()
    {
        var bom = new byte[] { 0xEF, 0xBB, 0xBF };
        var start = HclParser.Parse([.. bom, .. "a = 1\n"u8.ToArray()], "bom.hcl");
        Assert.False(start.HasErrors, start.Diagnostics.ToString());
        Assert.Equal("1", start.Body.JustAttributes(new HclDiagnostics())["a"].Expression.Evaluate(null).AsNumberText());

        var middle = HclParser.Parse([.. "a = 1\n"u8.ToArray(), .. bom, .. "b = 2\n"u8.ToArray()], "bom.hcl");
        Assert.Equal(2, middle.Diagnostics.First(d => d.Severity == HclSeverity.Error).Subject!.Value.Start.Line);
    }

    [Theory]
    [InlineData("true ? 4 : 0/0", "4")]
    [InlineData("false ? nosuchfn(1) : 2", "2")]
    [InlineData("var.flag ? 3 : upper(1, 2)", "3")]
    public void Only_the_chosen_branch_of_a_conditional_reports_its_errors(string expression, string expected)
    {
        var (value, diagnostics) = Evaluate(expression);
        Assert.False(diagnostics.HasErrors, diagnostics.ToString());
        Assert.Equal(expected, value!.AsNumberText());
    }

    [Theory]
    [InlineData("false ? 1 : nosuchfn()", "Call to unknown function")]
    [InlineData("true ? \"x\" : [1]", "Inconsistent conditional result types")]
    public void The_chosen_branch_errors_and_inconsistent_types_are_still_reported(string expression, string summary)
    {
        Assert.Contains(Evaluate(expression).Diagnostics, d => d.Summary == summary);
    }

    [Theory]
    [InlineData("<<EOT\nhello\n  EOT  \n", "hello\n")]
    [InlineData("<<-EOT\n    hello\n    EOT\t\n", "hello\n")]
    [InlineData("<<EOT\nhi\nEOT x\nEOT\n", "hi\nEOT x\n")]
    public void A_heredoc_closes_on_its_marker_with_spaces_around_it(string heredoc, string expected)
    {
        var file = HclParser.Parse("v = " + heredoc, "t.hcl");
        Assert.False(file.HasErrors, file.Diagnostics.ToString());
        Assert.Equal(expected, file.Body.JustAttributes(new HclDiagnostics())["v"].Expression.Evaluate(null).AsString());
    }

    [Fact]
    public void Keywords_as_object_keys_are_names_and_a_parenthesised_null_is_refused()
    {
        var (value, diagnostics) = Evaluate("{ null = 1, true = 2, false = 3 }");
        Assert.False(diagnostics.HasErrors, diagnostics.ToString());
        Assert.Equal(["false", "null", "true"], value!.AsObject().Keys.Order(StringComparer.Ordinal));

        Assert.Contains(Evaluate("{ (null) = 1 }").Diagnostics, d => d.Summary == "Null value as key");
    }

    [Theory]
    [InlineData("\"\\uD800\"")]
    [InlineData("\"\\uDFFF\"")]
    [InlineData("\"\\U00110000\"")]
    public void Surrogate_escapes_and_code_points_past_U10FFFF_are_refused(string literal)
    {
        var error = Assert.Single(Evaluate(literal).Diagnostics, d => d.Severity == HclSeverity.Error);
        Assert.Equal("Invalid escape sequence", error.Summary);
        Assert.Equal(6, error.Subject!.Value.Start.Column);
    }

    [Fact]
    public void The_highest_code_point_is_accepted()
    {
        Assert.Equal(char.ConvertFromUtf32(0x10FFFF), Evaluate("\"\\U0010FFFF\"").Value!.AsString());
    }

    [Theory]
    [InlineData("jsonencode(1/0)")]
    [InlineData("jsonencode(-1/0)")]
    [InlineData("jsonencode([1, {b = 1/0}])")]
    public void Jsonencode_of_an_infinity_is_an_error_in_the_function_call(string expression)
    {
        Assert.Contains(Evaluate(expression).Diagnostics, d => d.Summary == "Error in function call");
    }
}
