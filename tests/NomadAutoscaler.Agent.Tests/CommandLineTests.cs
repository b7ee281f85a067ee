using NomadAutoscaler.Agent.Cli;

namespace NomadAutoscaler.Agent.Tests;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-").FullName;
    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();
    private readonly List<AgentCommandLine> _started = [];

    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private Task<int> Run(params string[] args) => CommandLine.RunAsync(args, _stdout, _stderr, new Dictionary<string, string?>(), _dir,
        (commandLine, _) =>
        {
            _started.Add(commandLine);
            return Task.FromResult(0);
        },
        CancellationToken.None);

    [Fact]
    public async Task Simulate_soak_runs_the_seeds_and_prints_a_summary()
    {
        var soak = Path.Combine(RepoRoot(), "tests", "NomadAutoscaler.Lab.Tests", "Soak");

        var code = await Run("simulate", $"-config={Path.Combine(soak, "agent.hcl")}", $"-config={Path.Combine(soak, "ha.hcl")}", $"-policy-dir={Path.Combine(soak, "policies")}",
            $"-workload={Path.Combine(soak, "soak.workload")}", "-duration=2h", "-soak=2", "-seed=3", "-parallel=1");

        Assert.True(code == 0, _stderr.ToString());
        var output = _stdout.ToString();
        Assert.Contains("soak: 2 seeds from 3 (", output, StringComparison.Ordinal);
        Assert.Contains("0 broke an invariant", output, StringComparison.Ordinal);
        // -faults defaults to every class; with HA in the configuration the lock faults are drawn too.
        Assert.Contains("lock-error=0.05", output, StringComparison.Ordinal);
        Assert.Contains("  nomad-error: ", output, StringComparison.Ordinal);
        Assert.Contains("longest convergence after faults stopped: ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-json")]
    [InlineData("-report=x.html")]
    public async Task Simulate_soak_refuses_single_run_outputs(string flag)
    {
        Assert.Equal(1, await Run("simulate", "-policy-dir=p", "-workload=w", "-soak=2", flag));
        Assert.Contains("-soak prints a summary of its seeds; it takes no -report or -json", _stderr.ToString(), StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("no Plugins.sln above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    [InlineData("-v")]
    [InlineData("-version")]
    public async Task Version_prints_the_version_line(string arg)
    {
        Assert.Equal(0, await Run(arg));
        Assert.Equal(HelpText.VersionLine(typeof(CommandLine).Assembly) + Environment.NewLine, _stdout.ToString());
        Assert.StartsWith("Nomad Autoscaler v", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.1.0", "Nomad Autoscaler v0.1.0")]
    [InlineData("0.1.0-dev", "Nomad Autoscaler v0.1.0-dev")]
    [InlineData("0.1.0-dev+3f2a1bc", "Nomad Autoscaler v0.1.0-dev (3f2a1bc)")]
    [InlineData("v0.5.1'", "Nomad Autoscaler v0.5.1")]
    public void Version_line_is_formatted_like_upstream(string informational, string expected) =>
        Assert.Equal(expected, HelpText.VersionLine(informational));

    [Fact]
    public async Task No_command_prints_the_command_list_and_exits_127()
    {
        Assert.Equal(127, await Run());
        Assert.Contains("Available commands are:", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_command_exits_127()
    {
        Assert.Equal(127, await Run("agnet"));
        Assert.Contains("validate", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public async Task Top_level_help_exits_0(string arg)
    {
        Assert.Equal(0, await Run(arg));
        Assert.Contains("Usage: nomad-autoscaler [--version] [--help] <command> [<args>]", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-help")]
    [InlineData("--help")]
    public async Task Agent_help_lists_every_flag_and_exits_0(string arg)
    {
        Assert.Equal(0, await Run("agent", "-log-json", arg));

        var help = _stdout.ToString();
        Assert.StartsWith("Usage: nomad-autoscaler agent [options]", help, StringComparison.Ordinal);
        foreach (var flag in AgentFlags.All) Assert.Contains($"\n  -{flag.Name}", help, StringComparison.Ordinal);
        Assert.Contains("-telemetry-dogstatsd-tags=<tag>", help, StringComparison.Ordinal);
        Assert.Contains("-high-availability-lock-namespace=<namespace>", help, StringComparison.Ordinal);
        Assert.Empty(_started);
    }

    [Fact]
    public async Task Agent_with_a_bad_flag_prints_the_error_and_the_help_hint_and_exits_1()
    {
        Assert.Equal(1, await Run("agent", "-nomad-adress=http://x"));

        Assert.Equal("flag provided but not defined: -nomad-adress\nRun 'nomad-autoscaler agent --help' for more information.\n",
            _stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(_started);
    }

    [Fact]
    public async Task Agent_with_a_broken_config_file_exits_1_naming_the_file_and_position()
    {
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, "nomad {\n  adress = \"http://x:4646\"\n}\n");

        Assert.Equal(1, await Run("agent", "-config", config));

        var error = _stderr.ToString();
        Assert.Contains($"{config}:2,3-9: Unsupported argument; An argument named \"adress\" is not expected here. Did you mean \"address\"?", error, StringComparison.Ordinal);
        Assert.EndsWith("Run 'nomad-autoscaler agent --help' for more information." + Environment.NewLine, error, StringComparison.Ordinal);
        Assert.Empty(_started);
    }

    [Fact]
    public async Task Agent_with_das_flag_is_an_enterprise_error()
    {
        Assert.Equal(1, await Run("agent", "-das-job-label", "job"));
        Assert.StartsWith("-das-job-label is only supported in Nomad Autoscaler Enterprise", _stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_agent_command_line_is_handed_to_the_runner_with_its_exit_code()
    {
        var config = Path.Combine(_dir, "agent.hcl");
        await File.WriteAllTextAsync(config, "log_level = \"debug\"\n");

        var code = await CommandLine.RunAsync(["agent", "-config=" + config, "--log-json", "-dev"], _stdout, _stderr, new Dictionary<string, string?>(), _dir,
            (commandLine, _) =>
            {
                _started.Add(commandLine);
                return Task.FromResult(3);
            },
            CancellationToken.None);

        Assert.Equal(3, code);
        var started = Assert.Single(_started);
        Assert.Equal([config], started.ConfigPaths);
        Assert.True(started.Flags.LogJson);
        Assert.True(started.Dev);
    }

    [Fact]
    public async Task Validate_help_exits_0()
    {
        Assert.Equal(0, await Run("validate", "-h"));
        Assert.StartsWith("Usage: nomad-autoscaler validate [-json] PATH...", _stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_without_paths_exits_1()
    {
        Assert.Equal(1, await Run("validate"));
        Assert.Contains("validate needs at least one PATH", _stderr.ToString(), StringComparison.Ordinal);
    }
}
