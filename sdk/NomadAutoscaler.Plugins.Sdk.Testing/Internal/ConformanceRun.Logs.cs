using System.Text.Json;
using System.Text.RegularExpressions;

namespace NomadAutoscaler.Plugins.Sdk.Testing.Internal;

/// <summary>The checks of what the plugin writes to stdout and stderr.</summary>
internal sealed partial class ConformanceRun
{
    private async Task StdoutAndStderrAsync(PluginProcess plugin, CancellationToken cancellationToken)
    {
        if (!plugin.HasExited) await plugin.DisposeAsync();
        string rest;
        try
        {
            rest = await plugin.ReadRestOfStdoutAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (TimeoutException)
        {
            rest = "(stdout still open)";
        }

        Add("stdout.only-handshake", rest.Length == 0,
            rest.Length == 0 ? "nothing on stdout after the handshake line" : $"stdout carried more than the handshake line: \"{Truncate(rest)}\"");

        var lines = plugin.StderrLines.Where(line => line.Length > 0).ToList();
        var problems = new List<string>();
        foreach (var line in lines)
        {
            var problem = HclogLineProblem(line);
            if (problem is not null) problems.Add($"{problem}: {Truncate(line)}");
        }

        Add("stderr.hclog-json", problems.Count == 0, problems.Count == 0
            ? $"{lines.Count} stderr line(s), all hclog JSON"
            : $"{problems.Count} of {lines.Count} stderr line(s) are not valid hclog JSON; first: {problems[0]}");
    }

    /// <summary>What go-plugin needs from a JSON log line; null when the line is fine.</summary>
    internal static string? HclogLineProblem(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return "not JSON (the host logs it raw at DEBUG)";
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "not a JSON object";
            foreach (var key in new[] { "@level", "@message", "@timestamp" })
            {
                if (!root.TryGetProperty(key, out var value)) return $"{key} is missing";
                // go-plugin does unchecked string assertions on these: anything else panics the host.
                if (value.ValueKind != JsonValueKind.String) return $"{key} is a JSON {value.ValueKind}, not a string (this panics a Go host)";
            }

            var level = root.GetProperty("@level").GetString()!.Trim().ToLowerInvariant();
            if (level is not ("trace" or "debug" or "info" or "warn" or "error")) return $"@level \"{level}\" is not trace|debug|info|warn|error";
            var timestamp = root.GetProperty("@timestamp").GetString()!;
            if (!TimestampPattern().IsMatch(timestamp)) return $"@timestamp \"{timestamp}\" is not YYYY-MM-DDTHH:MM:SS.ffffffZ07:00";
            return null;
        }
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex TimestampPattern();
}
