using System.Text.Json.Nodes;
using NomadAutoscaler.Hcl.Native;

namespace NomadAutoscaler.Hcl.Tests;

/// <summary>The C# twin of tests/oracle/hcldump: same evaluation context, same JSON shape.</summary>
internal static class HclDump
{
    public static HclEvalContext Context()
    {
        var context = HclEvalContext.WithStandardFunctions();
        context.Variables["var"] = HclValue.Object(new Dictionary<string, HclValue>
        {
            ["name"] = HclValue.String("web"),
            ["count"] = HclValue.Number(3),
            ["list"] = HclValue.Tuple([HclValue.String("a"), HclValue.String("b"), HclValue.String("c")]),
            ["nested"] = HclValue.Object(new Dictionary<string, HclValue> { ["x"] = HclValue.Object(new Dictionary<string, HclValue> { ["y"] = HclValue.Number(1) }) }),
            ["objs"] = HclValue.Tuple([
                HclValue.Object(new Dictionary<string, HclValue> { ["n"] = HclValue.Number(1) }),
                HclValue.Object(new Dictionary<string, HclValue> { ["n"] = HclValue.Number(2) }),
            ]),
            ["nothing"] = HclValue.Null,
            ["flag"] = HclValue.True,
            ["num"] = HclValue.String("42"),
        });
        return context;
    }

    public static JsonObject Dump(string path)
    {
        var file = HclParser.ParseFile(path);
        var diagnostics = new HclDiagnostics();
        diagnostics.AddRange(file.Diagnostics);
        JsonNode? value = null;
        if (!file.HasErrors)
        {
            if (file.IsJson)
            {
                var attributes = file.Body.JustAttributes(diagnostics);
                value = new JsonObject { ["attrs"] = DumpAttributes(attributes.Values, diagnostics), ["blocks"] = new JsonArray() };
            }
            else
            {
                value = DumpBody((NativeBody)file.Body, diagnostics);
            }
        }

        if (diagnostics.HasErrors)
        {
            var list = new JsonArray();
            foreach (var diagnostic in diagnostics.Where(d => d.Severity == HclSeverity.Error))
            {
                list.Add(new JsonObject
                {
                    ["line"] = diagnostic.Subject?.Start.Line ?? 0,
                    ["col"] = diagnostic.Subject?.Start.Column ?? 0,
                    ["summary"] = diagnostic.Summary,
                });
            }

            return new JsonObject { ["valid"] = false, ["diags"] = list };
        }

        return new JsonObject { ["valid"] = true, ["value"] = value };
    }

    private static JsonObject DumpAttributes(IEnumerable<HclAttribute> attributes, HclDiagnostics diagnostics)
    {
        var result = new JsonObject();
        foreach (var attribute in attributes)
        {
            result[attribute.Name] = DumpValue(attribute.Evaluate(Context(), diagnostics));
        }

        return result;
    }

    private static JsonObject DumpBody(NativeBody body, HclDiagnostics diagnostics)
    {
        var blocks = new JsonArray();
        var attributes = DumpAttributes(body.Attributes, diagnostics);
        foreach (var block in body.Blocks)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = block.Type,
                ["labels"] = new JsonArray(block.Labels.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
                ["body"] = DumpBody((NativeBody)block.Body, diagnostics),
            });
        }

        return new JsonObject { ["attrs"] = attributes, ["blocks"] = blocks };
    }

    public static JsonNode? DumpValue(HclValue value) => value.Kind switch
    {
        HclValueKind.Null => null,
        HclValueKind.Bool => JsonValue.Create(value.AsBool()),
        HclValueKind.String => JsonValue.Create(value.AsString()),
        HclValueKind.Number => value.AsNumberText() is "+Inf" or "-Inf" ? JsonValue.Create(value.AsNumberText()) : JsonNode.Parse(value.AsNumberText()),
        HclValueKind.Tuple => new JsonArray(value.AsTuple().Select(DumpValue).ToArray()),
        _ => new JsonObject(value.AsObject().Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, DumpValue(kv.Value)))),
    };
}
