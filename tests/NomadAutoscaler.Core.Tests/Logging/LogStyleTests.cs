using System.Text.RegularExpressions;
using NomadAutoscaler.Core.Tests.Configuration;

namespace NomadAutoscaler.Core.Tests.Logging;

/// <summary>
/// One log style in the agent, the SDK and the plugins: <c>logger.Hclog(level, "fixed phrase", ("snake_key", value))</c>,
/// as upstream's hclog. A message-template call (<c>LogInformation("... {Foo}", foo)</c>) prints its facts twice once
/// the agent re-logs a plugin's line, so none may be added. The directories still being converted are named below;
/// each must still hold a template call, so the list only shrinks.
/// </summary>
public sealed partial class LogStyleTests
{
    private static readonly string[] Roots = ["core", "sdk", "plugins"];

    /// <summary>Directories (relative to the repository root) whose template calls are not converted yet, and why.</summary>
    private static readonly Dictionary<string, string> NotYetConverted = new(StringComparer.Ordinal)
    {
        ["plugins/os-nova"] = "being converted separately",
        ["core/NomadAutoscaler.Simulator"] = "being converted separately",
        ["core/NomadAutoscaler.OpenStack"] = "the OpenStack client does not reference the SDK that holds Hclog",
        ["sdk/NomadAutoscaler.Plugins.Templates"] = "the template's log line is asserted by the third-party plugin end-to-end test",
    };

    [Fact]
    public void No_message_template_log_calls_outside_the_named_directories()
    {
        var offenders = TemplateCalls().Where(c => !NotYetConverted.Keys.Any(dir => c.File.StartsWith(dir + "/", StringComparison.Ordinal))).ToList();

        Assert.True(offenders.Count == 0,
            "use logger.Hclog(level, \"fixed phrase\", (\"snake_key\", value), ...) instead of a message template:\n"
            + string.Join("\n", offenders.Select(c => $"{c.File}:{c.Line}: {c.Text}")));
    }

    [Fact]
    public void Every_named_directory_still_has_template_calls()
    {
        var calls = TemplateCalls();
        var converted = NotYetConverted.Keys.Where(dir => !calls.Any(c => c.File.StartsWith(dir + "/", StringComparison.Ordinal))).ToList();

        Assert.True(converted.Count == 0, "converted: remove from NotYetConverted: " + string.Join(", ", converted));
    }

    [Fact]
    public void The_pattern_finds_template_calls_and_passes_hclog_calls()
    {
        Assert.Matches(TemplateCall(), "_logger.LogInformation(\"scaled {Resource}\", resource);");
        Assert.Matches(TemplateCall(), "logger.LogError(ex, \"failed: {Error}\", ex.Message);");
        Assert.Matches(TemplateCall(), "logger.Log(LogLevel.Warning, \"x {Y}\", y);");
        Assert.DoesNotMatch(TemplateCall(), "logger.Hclog(LogLevel.Information, \"scaled\", (\"resource\", resource));");
    }

    private static List<(string File, int Line, string Text)> TemplateCalls()
    {
        var root = RepoFiles.Root;
        var calls = new List<(string, int, string)>();
        foreach (var top in Roots)
        {
            foreach (var path in Directory.EnumerateFiles(Path.Combine(root, top), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
                var lines = File.ReadAllLines(path);
                for (var i = 0; i < lines.Length; i++)
                {
                    if (TemplateCall().IsMatch(lines[i])) calls.Add((relative, i + 1, lines[i].Trim()));
                }
            }
        }

        return calls;
    }

    [GeneratedRegex(@"\.Log(Trace|Debug|Information|Warning|Error|Critical)\(|\.Log\(LogLevel\.\w+,\s*(\w+,\s*)?""")]
    private static partial Regex TemplateCall();
}
