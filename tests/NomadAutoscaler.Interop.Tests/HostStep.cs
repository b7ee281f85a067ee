using System.Text.Json;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>One JSON line of goplugin-host's stdout: a launch, an RPC, the shutdown or the plugin-log check.</summary>
internal sealed record HostStep(string Method, bool Ok, string? Error, string? Code, JsonElement Response)
{
    public static HostStep Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        return new HostStep(
            root.GetProperty("method").GetString() ?? throw new FormatException($"step without a method: {line}"),
            root.GetProperty("ok").GetBoolean(),
            root.TryGetProperty("error", out var error) ? error.GetString() : null,
            root.TryGetProperty("code", out var code) ? code.GetString() : null,
            root.TryGetProperty("response", out var response) ? response.Clone() : default);
    }
}
