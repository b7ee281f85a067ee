using System.Text;
using System.Text.RegularExpressions;
using NomadAutoscaler.Agent.Cli;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Agent.Tests;

/// <summary>
/// Keeps docs/configuration.md true: every option row's example is loaded (an honoured one must load, a refused one
/// must fail with the documented error), and the decoders and the flag parser know exactly the options the tables
/// list, so a new key cannot arrive undocumented and a documented key cannot quietly disappear.
/// </summary>
public sealed partial class ConfigurationTableTests : IDisposable
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];
    private static readonly Lazy<IReadOnlyDictionary<string, List<Row>>> Tables = new(ReadTables);
    private readonly string _dir = Directory.CreateTempSubdirectory("config-table-").FullName;

    public static TheoryData<string> ConfigKeys => Keys("Agent configuration keys");

    public static TheoryData<string> FlagNames => Keys("Agent flags");

    public static TheoryData<string> PolicyKeys => Keys("Scaling policy keys");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_config_table_lists_exactly_the_keys_the_decoder_knows()
        => Assert.Equal(ConfigDecoder.KnownKeys.Order(StringComparer.Ordinal), Table("Agent configuration keys").Select(r => r.Key).Order(StringComparer.Ordinal));

    [Fact]
    public void The_flag_table_lists_exactly_the_flags_the_agent_parses()
        => Assert.Equal(AgentFlags.All.Select(f => "-" + f.Name).Order(StringComparer.Ordinal), Table("Agent flags").Select(r => r.Key).Order(StringComparer.Ordinal));

    [Fact]
    public void The_policy_table_lists_exactly_the_keys_the_policy_decoder_knows()
        => Assert.Equal(FilePolicyDecoder.KnownKeys.Order(StringComparer.Ordinal), Table("Scaling policy keys").Select(r => r.Key).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ConfigKeys))]
    public void A_config_key_does_what_its_row_says(string key)
    {
        var row = RowOf("Agent configuration keys", key);
        var path = Path.Combine(_dir, "agent.hcl");
        File.WriteAllText(path, ConfigSnippet(row.Key, row.Example));

        if (row.Honoured)
        {
            var config = ConfigLoader.Load([path], null, NoEnvironment, _dir);
            Assert.NotNull(config);
            // validate must agree with the agent.
            var report = ValidateCommand.Check([path], NoEnvironment, _dir);
            Assert.True(report.Problems.Count == 0 && report.Files.All(f => f.Valid), $"validate refused honoured {key}");
        }
        else
        {
            var failure = Assert.Throws<ConfigException>(() => ConfigLoader.Load([path], null, NoEnvironment, _dir));
            Assert.Contains(row.Error!, failure.Message, StringComparison.Ordinal);
            var report = ValidateCommand.Check([path], NoEnvironment, _dir);
            var said = string.Join("\n", report.Problems.Concat(report.Files.SelectMany(f => f.Diagnostics).Select(d => d.Message)));
            Assert.Contains(row.Error!, said, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(FlagNames))]
    public void A_flag_does_what_its_row_says(string flag)
    {
        var row = RowOf("Agent flags", flag);
        var args = row.Example.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        if (row.Honoured)
        {
            var parsed = AgentFlags.Parse(args, out _);
            // -config names a file, which must exist for the load to pass.
            var configs = parsed.ConfigPaths.Select(p => Path.Combine(_dir, p)).ToList();
            foreach (var config in configs) File.WriteAllText(config, "");
            Assert.NotNull(ConfigLoader.Load(configs, parsed.Flags, NoEnvironment, _dir));
            return;
        }

        string message;
        try
        {
            var parsed = AgentFlags.Parse(args, out _);
            message = Assert.Throws<ConfigException>(() => ConfigLoader.Load([], parsed.Flags, NoEnvironment, _dir)).Message;
        }
        catch (FlagException ex)
        {
            message = ex.Message;
        }

        Assert.Contains(row.Error!, message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(PolicyKeys))]
    public void A_policy_key_does_what_its_row_says(string key)
    {
        var row = RowOf("Scaling policy keys", key);
        var file = HclParser.Parse(PolicySnippet(row.Key, row.Example), "policy.hcl");
        var decoded = FilePolicyDecoder.Decode(file, FilePolicyDefaults.Upstream);
        var errors = decoded.AllDiagnostics.Where(d => d.Severity == HclSeverity.Error).Select(d => d.Message).ToList();

        if (row.Honoured)
        {
            Assert.True(errors.Count == 0, $"{key}: {string.Join("; ", errors)}");
            Assert.NotNull(Assert.Single(decoded.Policies).Policy);
        }
        else
        {
            Assert.Contains(errors, e => e.Contains(row.Error!, StringComparison.Ordinal));
        }
    }

    /// <summary>The example inside the blocks its key lives in, with whatever those blocks require.</summary>
    private static string ConfigSnippet(string key, string example)
    {
        var dot = key.LastIndexOf('.');
        var block = dot < 0 ? "" : key[..dot];
        var name = key[(dot + 1)..];
        return block switch
        {
            "" => example + "\n",
            "policy.source" => $"policy {{\n  source \"file\" {{\n    {example}\n  }}\n}}\n",
            "high_availability" when name != "enabled" => $"high_availability {{\n  enabled = false\n  {example}\n}}\n",
            "apm" or "strategy" or "target" when name != "driver" => $"{block} \"table\" {{\n  driver = \"table\"\n  {example}\n}}\n",
            "apm" or "strategy" or "target" => $"{block} \"table\" {{\n  {example}\n}}\n",
            _ => $"{block} {{\n  {example}\n}}\n",
        };
    }

    /// <summary>A valid enabled policy with the example put in place of (or beside) the attributes of its block.</summary>
    private static string PolicySnippet(string key, string example)
    {
        var scaling = new Dictionary<string, string> { ["enabled"] = "true", ["max"] = "3" };
        var policy = new Dictionary<string, string>();
        var check = new Dictionary<string, string> { ["source"] = "\"nomad-apm\"", ["query"] = "\"avg_cpu\"" };
        Dictionary<string, string>? policySchedule = null;
        Dictionary<string, string>? checkSchedule = null;
        var strategy = "strategy \"target-value\" {\n        target = 70\n      }";
        var target = "target \"nomad-target\" {\n      Job   = \"web\"\n      Group = \"g\"\n    }";

        var name = key[(key.LastIndexOf('.') + 1)..];
        Dictionary<string, string> Schedule() => new() { ["start"] = "\"0 8 * * *\"", ["duration"] = "\"1h\"" };
        var into = key[..key.LastIndexOf('.')] switch
        {
            "scaling" => scaling,
            "scaling.policy" when name is "target" => null,
            "scaling.policy" => policy,
            "scaling.policy.check" when name is "strategy" => null,
            "scaling.policy.check" => check,
            "scaling.policy.schedule" => policySchedule = Schedule(),
            "scaling.policy.check.schedule" => checkSchedule = Schedule(),
            var other => throw new InvalidOperationException($"no place for {other}"),
        };

        if (into is null)
        {
            if (name == "strategy") strategy = example;
            else target = example;
        }
        else
        {
            if (name == "end") into.Remove("duration");
            into[name] = example[(example.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
        }

        static string Attributes(Dictionary<string, string> values, string indent)
            => string.Concat(values.Select(kv => $"{indent}{kv.Key} = {kv.Value}\n"));
        static string ScheduleBlock(Dictionary<string, string>? values, string indent)
            => values is null ? "" : $"{indent}schedule {{\n{Attributes(values, indent + "  ")}{indent}}}\n";

        var text = new StringBuilder();
        text.Append("scaling \"table\" {\n").Append(Attributes(scaling, "  "));
        text.Append("  policy {\n").Append(Attributes(policy, "    ")).Append(ScheduleBlock(policySchedule, "    "));
        text.Append("    check \"c\" {\n").Append(Attributes(check, "      ")).Append(ScheduleBlock(checkSchedule, "      "));
        text.Append("      ").Append(strategy).Append("\n    }\n");
        text.Append("    ").Append(target).Append("\n  }\n}\n");
        return text.ToString();
    }

    private static TheoryData<string> Keys(string section)
    {
        var data = new TheoryData<string>();
        foreach (var row in Table(section)) data.Add(row.Key);
        return data;
    }

    private static List<Row> Table(string section)
        => Tables.Value.TryGetValue(section, out var rows) && rows.Count > 0 ? rows : throw new InvalidOperationException($"docs/configuration.md has no table under \"## {section}\"");

    private static Row RowOf(string section, string key) => Assert.Single(Table(section), r => r.Key == key);

    /// <summary>Rows <c>| `key` | `example` | status | note |</c> under each <c>## </c> heading; a refused row's note
    /// is the error in backticks.</summary>
    private static Dictionary<string, List<Row>> ReadTables()
    {
        var tables = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
        List<Row>? current = null;
        foreach (var line in File.ReadLines(Path.Combine(RepoRoot(), "docs", "configuration.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = [];
                tables[line[3..].Trim()] = current;
                continue;
            }

            var match = RowPattern().Match(line);
            if (current is null || !match.Success) continue;
            var status = match.Groups["status"].Value;
            Assert.True(status is "honoured" or "refused", $"status must be honoured or refused: {line}");
            var error = Backticked().Match(match.Groups["note"].Value);
            Assert.True(status == "honoured" || error.Success, $"a refused row must give its error in backticks: {line}");
            current.Add(new Row(match.Groups["key"].Value, match.Groups["example"].Value, status == "honoured", error.Success ? error.Groups[1].Value : null));
        }

        return tables;
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no Plugins.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\| `(?<key>[^`]+)` \| `(?<example>[^`]+)` \| (?<status>\w+) \|(?<note>.*)\|$")]
    private static partial Regex RowPattern();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    private sealed record Row(string Key, string Example, bool Honoured, string? Error);
}
