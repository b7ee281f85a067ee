using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.OpenStack;

/// <summary>Lenient reads of OpenStack JSON: a missing or differently typed field reads as absent, so additive API
/// changes in newer microversions do not break parsing.</summary>
internal static class Json
{
    public static string? Str(JsonNode? node, string key)
    {
        if (node is not JsonObject obj || obj[key] is not JsonValue value) return null;
        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => value.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
    }

    public static bool Bool(JsonNode? node, string key)
        => node is JsonObject obj && obj[key] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    public static IEnumerable<JsonNode> Items(JsonNode? node, string key)
        => node is JsonObject obj && obj[key] is JsonArray array ? array.Where(n => n is not null).Select(n => n!) : [];

    public static IReadOnlyList<string> Strings(JsonNode? node, string key)
        => Items(node, key).OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToList();

    public static IReadOnlyDictionary<string, string> StringMap(JsonNode? node, string key)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is JsonObject obj && obj[key] is JsonObject inner)
        {
            foreach (var (k, v) in inner)
            {
                if (v is JsonValue value && value.GetValueKind() == JsonValueKind.String) map[k] = value.GetValue<string>();
            }
        }

        return map;
    }

    public static DateTimeOffset? Time(JsonNode? node, string key)
        => Str(node, key) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;

    public static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    public static JsonObject Object(IReadOnlyDictionary<string, string> values)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in values) obj[k] = v;
        return obj;
    }

    /// <summary>The query string of a pagination link (<c>servers_links</c>, <c>next</c>), to be applied to our own
    /// base URL: the link's host is whatever the service believed its own address to be.</summary>
    public static string? NextQuery(JsonNode? body, string linksKey)
    {
        foreach (var link in Items(body, linksKey))
        {
            if (Str(link, "rel") == "next" && Str(link, "href") is { } href && Uri.TryCreate(href, UriKind.RelativeOrAbsolute, out var uri))
            {
                var text = uri.IsAbsoluteUri ? uri.Query : href[Math.Max(0, href.IndexOf('?', StringComparison.Ordinal))..];
                return text.StartsWith('?') ? text : null;
            }
        }

        return null;
    }
}
