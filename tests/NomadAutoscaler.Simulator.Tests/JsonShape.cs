using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>
/// Checks that a response has every field of a fixture, recursively, with the same JSON value kind.
/// Rules (also in core/NomadAutoscaler.Simulator/README.md, "Fidelity tests"):
/// <list type="bullet">
/// <item>a fixture <c>null</c> matches anything, including an absent key (current servers omit many empty keys);</item>
/// <item><c>true</c>/<c>false</c> are one kind; integers and floats are one kind (number);</item>
/// <item>each element of a fixture array must match at least one element of the response array;</item>
/// <item>"free maps" (keys are data: attributes, task names, …) compare every fixture value to the response value
///   under the same key when there is one, else to any response value;</item>
/// <item>ignored paths are fields real current servers no longer send, or features the simulator does not model.</item>
/// </list>
/// Paths use <c>.</c> between keys and <c>[]</c> for array elements, e.g. <c>[].Job.TaskGroups[].Tasks[].Config</c>;
/// a <c>*</c> segment matches any map key.
/// </summary>
internal static class JsonShape
{
    public static List<string> Compare(JsonNode? fixture, JsonNode? actual, IReadOnlyCollection<string> freeMaps, IReadOnlyCollection<string> ignored)
    {
        var errors = new List<string>();
        Walk(fixture, actual, "", freeMaps, ignored, errors);
        return errors;
    }

    private static void Walk(JsonNode? fixture, JsonNode? actual, string path, IReadOnlyCollection<string> freeMaps, IReadOnlyCollection<string> ignored, List<string> errors)
    {
        if (fixture is null || Matches(ignored, path))
        {
            return;
        }

        var fixtureKind = Kind(fixture);
        var actualKind = Kind(actual);
        if (fixtureKind != actualKind)
        {
            errors.Add($"{Display(path)}: expected {fixtureKind}, got {actualKind}");
            return;
        }

        switch (fixture)
        {
            case JsonObject fixtureObject when Matches(freeMaps, path):
            {
                var actualObject = actual!.AsObject();
                foreach (var (key, value) in fixtureObject)
                {
                    if (value is null)
                    {
                        continue;
                    }

                    if (actualObject.TryGetPropertyValue(key, out var same))
                    {
                        Walk(value, same, path + "." + key, freeMaps, ignored, errors);
                    }
                    else if (actualObject.Count > 0)
                    {
                        var best = BestMatch(value, actualObject.Select(p => p.Value), path + ".*", freeMaps, ignored);
                        errors.AddRange(best);
                    }
                }

                break;
            }

            case JsonObject fixtureObject:
            {
                var actualObject = actual!.AsObject();
                foreach (var (key, value) in fixtureObject)
                {
                    var childPath = path.Length == 0 ? key : path + "." + key;
                    if (value is null || Matches(ignored, childPath))
                    {
                        continue;
                    }

                    if (!actualObject.TryGetPropertyValue(key, out var child))
                    {
                        errors.Add($"{Display(childPath)}: missing");
                        continue;
                    }

                    Walk(value, child, childPath, freeMaps, ignored, errors);
                }

                break;
            }

            case JsonArray fixtureArray:
            {
                var actualArray = actual!.AsArray();
                if (fixtureArray.Count > 0 && actualArray.Count == 0)
                {
                    errors.Add($"{Display(path)}: expected a non-empty array");
                    break;
                }

                foreach (var element in fixtureArray)
                {
                    errors.AddRange(BestMatch(element, actualArray, path + "[]", freeMaps, ignored));
                }

                break;
            }
        }
    }

    private static List<string> BestMatch(JsonNode? fixture, IEnumerable<JsonNode?> candidates, string path, IReadOnlyCollection<string> freeMaps, IReadOnlyCollection<string> ignored)
    {
        List<string>? best = null;
        foreach (var candidate in candidates)
        {
            var errors = new List<string>();
            Walk(fixture, candidate, path, freeMaps, ignored, errors);
            if (errors.Count == 0)
            {
                return errors;
            }

            if (best is null || errors.Count < best.Count)
            {
                best = errors;
            }
        }

        return best ?? [];
    }

    private static bool Matches(IReadOnlyCollection<string> patterns, string path) => patterns.Any(p => PathMatches(p, path));

    private static bool PathMatches(string pattern, string path)
    {
        var p = pattern.Split('.');
        var a = path.Split('.');
        if (p.Length != a.Length)
        {
            return false;
        }

        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] != "*" && p[i] != a[i] && !(p[i].EndsWith("[]", StringComparison.Ordinal) && p[i][..^2] == "*" && a[i].EndsWith("[]", StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static string Display(string path) => path.Length == 0 ? "(root)" : path;

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            _ => "null",
        },
        _ => "unknown",
    };
}
