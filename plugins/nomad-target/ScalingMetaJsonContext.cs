using System.Text.Json;
using System.Text.Json.Serialization;

namespace NomadAutoscaler.Plugins.NomadTarget;

[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ScalingMetaJsonContext : JsonSerializerContext;
