using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Plugins.NomadTarget;

/// <summary>Turns an action's meta values (plain .NET values decoded from the wire) into JSON for Nomad.</summary>
internal static class ScalingMeta
{
    public static Dictionary<string, JsonNode?> ToJson(IReadOnlyDictionary<string, object?> meta)
        => meta.ToDictionary(p => p.Key, p => ToNode(p.Value), StringComparer.Ordinal);

    internal static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        JsonElement element => JsonSerializer.SerializeToNode(element, ScalingMetaJsonContext.Default.JsonElement),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        IEnumerable<KeyValuePair<string, object?>> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToNode(p.Value)))),
        IEnumerable list => new JsonArray([.. list.Cast<object?>().Select(ToNode)]),
        IFormattable formattable => JsonValue.Create(formattable.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };
}
