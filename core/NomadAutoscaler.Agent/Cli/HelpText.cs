using System.Reflection;
using System.Text;

namespace NomadAutoscaler.Agent.Cli;

/// <summary>Usage texts and the version line.</summary>
internal static class HelpText
{
    public const string AgentHelpHint = "Run 'nomad-autoscaler agent --help' for more information.";

    public const string ValidateHelpHint = "Run 'nomad-autoscaler validate --help' for more information.";

    /// <summary>The command list (mitchellh/cli's layout).</summary>
    public static string Commands =>
        """
        Usage: nomad-autoscaler [--version] [--help] <command> [<args>]

        Available commands are:
            agent       Runs a Nomad autoscaler agent
            sim         Runs the simulated Nomad cluster on its own
            simulate    Scores scaling policies against a workload in virtual time
            validate    Checks agent configuration and scaling policy files
            version     Prints the Nomad Autoscaler version
        """;

    public static string Simulate =>
        """
        Usage: nomad-autoscaler simulate -policy-dir=DIR -workload=FILE [options]

          Runs the agent's real engine and plugins, with your own agent configuration and policy files, against a
          simulated Nomad cluster and cloud in virtual time: a day of workload takes seconds. Cluster policies whose
          target is a cloud (os-nova or sim-cloud) scale a simulated pool of the target's node_class; servers boot
          after -boot-delay and join as Nomad nodes. The report gives, per policy, node-hours, idle node-hours, the
          wait of allocations from wanted to running, allocation-seconds unplaced, scale actions and the largest
          overshoot, each beside its clairvoyant bound: the fewest nodes that hold the wanted allocations at each
          instant, within min and max, with no wait. The same inputs and seed give the same report, byte for byte.

        Options:

          -config=PATH          Agent configuration file or directory; may be repeated.
          -policy-dir=DIR       Directory of scaling policy files (required).
          -workload=FILE        Workload schedule, or a CSV trace (at,job,count,cpu,memory,class) if FILE ends in .csv.
          -duration=24h         Virtual time to run.
          -seed=1               Seed of boot jitter, boot failures and object IDs.
          -boot-delay=90s       Time from server create to ACTIVE.
          -boot-jitter=0s       Each boot takes the delay plus or minus up to this.
          -boot-failure-rate=0  Share of new servers that go to ERROR.
          -node-cpu=4000        CPU of one pool node, MHz.
          -node-memory=8192     Memory of one pool node, MiB.
          -json                 Print the report as JSON.
          -log-level=LEVEL      Print the agent's log lines to stderr at LEVEL (trace..error), in virtual time.
          -report=FILE.html     Also write a self-contained HTML report with charts.
          -faults=SPEC          Inject faults drawn from -seed: "all", or class[=rate],... of nomad-error,
                                nomad-timeout, slow-query, cloud-create, cloud-error, never-join, node-flap,
                                agent-restart, plugin-error, plugin-hang, and with high_availability enabled
                                lock-error and leader-partition (two agents share the lock) (docs/reliability.md).
                                The run then checks its invariants and stops at the first violation (exit 2) with
                                the seed and the history before it.
          -faults-until=DUR     Faults stop this far into the run (default: the duration less 1h).
          -soak=N               Run N seeds from -seed, side by side, with -faults (default "all"); print the seeds
                                that broke an invariant with their histories, and a summary. Exit 2 if any did.
          -parallel=N           With -soak: seeds run at once (default: the number of cores).
        """;

    public const string SimulateHelpHint = "Run 'nomad-autoscaler simulate -h' for more information.";

    public static string Version => "Usage: nomad-autoscaler version\n\n  Prints the Nomad Autoscaler version.";

    public static string Validate =>
        """
        Usage: nomad-autoscaler validate [-json] PATH...

          Checks agent configuration files and scaling policy files without starting an agent, and prints every
          problem found with its file, line and column. A PATH is a file or a directory (its *.hcl and *.json files,
          not recursive). Each file is taken as a scaling policy file when it has top-level `scaling` blocks, and as
          agent configuration otherwise; the output says which. Configuration files are merged in the order given,
          like repeated -config flags, and policies get their defaults from that merged configuration.

          Exit status: 0 when everything is valid, 1 otherwise.

        Options:

          -json
            Print the decoded result as JSON on stdout (problems still go to stderr): for configuration, the merged
            effective configuration with secrets redacted; for policies, name, type, enabled, min, max, cooldowns,
            evaluation interval, checks with their strategy config, and the target config.
        """;

    /// <summary><c>agent -h</c>: every flag, by section.</summary>
    public static string Agent
    {
        get
        {
            var text = new StringBuilder();
            text.Append(
                """
                Usage: nomad-autoscaler agent [options]

                  Starts the Nomad Autoscaler agent and runs until an interrupt is received. Flags win over every
                  configuration file, and keep winning after a reload (SIGHUP). Flags take Go syntax: -flag=value,
                  -flag value or --flag; bool flags take no value, or =true / =false.

                """);
            foreach (var (section, flags) in AgentFlags.Sections)
            {
                text.Append('\n').Append(section).Append(":\n");
                foreach (var flag in flags)
                {
                    text.Append("\n  -").Append(flag.Name);
                    if (flag.Placeholder.Length > 0) text.Append('=').Append(flag.Placeholder);
                    text.Append('\n');
                    foreach (var line in Wrap(flag.Help, 76)) text.Append("    ").Append(line).Append('\n');
                }
            }

            return text.ToString().TrimEnd('\n');
        }
    }

    /// <summary><c>Nomad Autoscaler v0.1.0</c>, plus <c> (commit)</c> when the build recorded one.</summary>
    public static string VersionLine(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3)
            ?? "0.0.0";
        return VersionLine(informational);
    }

    /// <summary>Formats a SemVer informational version (<c>0.1.0-dev+abc123</c>) as upstream prints its version.</summary>
    public static string VersionLine(string informationalVersion)
    {
        var plus = informationalVersion.IndexOf('+', StringComparison.Ordinal);
        var version = (plus < 0 ? informationalVersion : informationalVersion[..plus]).Replace("'", "", StringComparison.Ordinal);
        var commit = plus < 0 ? "" : informationalVersion[(plus + 1)..];
        var line = "Nomad Autoscaler v" + version.TrimStart('v');
        return commit.Length > 0 ? $"{line} ({commit})" : line;
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }

        if (line.Length > 0) yield return line.ToString();
    }
}
