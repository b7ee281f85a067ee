using System.Text.RegularExpressions;
using NomadAutoscaler.Core.Tests.Configuration;

namespace NomadAutoscaler.Core.Tests.Logging;

/// <summary>
/// One log style in the agent, the SDK and the plugins: <c>logger.Hclog(level, "fixed phrase", ("snake_key", value))</c>,
/// as upstream's hclog. A message-template call (<c>LogInformation("... {Foo}", foo)</c>) prints its facts twice once
/// the agent re-logs a plugin's line, so there is none.
/// </summary>
public sealed partial class LogStyleTests
{
    private static readonly string[] Roots = ["core", "sdk", "plugins"];

    [Fact]
    public void No_message_template_log_calls_anywhere()
    {
        var offenders = TemplateCalls();

        Assert.True(offenders.Count == 0,
            "use logger.Hclog(level, \"fixed phrase\", (\"snake_key\", value), ...) instead of a message template:\n"
            + string.Join("\n", offenders.Select(c => $"{c.File}:{c.Line}: {c.Text}")));
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
