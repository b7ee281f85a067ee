using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Agent.Cli;

/// <summary>
/// Dispatches the subcommands with upstream's exit codes: 0 for version and help, 127 for a missing or unknown
/// command, 1 for bad flags or configuration, otherwise what the command returns.
/// </summary>
internal static class CommandLine
{
    public static Task<int> RunAsync(string[] args) =>
        RunAsync(args, Console.Out, Console.Error, ConfigLoader.ProcessEnvironment(), Environment.CurrentDirectory, RunAgentAsync, CancellationToken.None);

    /// <param name="args">The process arguments.</param>
    /// <param name="stdout">Where help, version and results go.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="environment">The process environment (Nomad client variables).</param>
    /// <param name="workingDirectory">Base of the default plugin dir.</param>
    /// <param name="runAgent">Starts the agent once its command line is known to be usable.</param>
    /// <param name="cancellationToken">Stops a running command.</param>
    public static async Task<int> RunAsync(
        string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, string workingDirectory,
        Func<AgentCommandLine, CancellationToken, Task<int>> runAgent, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            await stderr.WriteLineAsync(HelpText.Commands);
            return 127;
        }

        var command = args[0];
        var rest = args[1..];
        switch (command)
        {
            case "-v" or "-version" or "--version":
                await stdout.WriteLineAsync(HelpText.VersionLine(typeof(CommandLine).Assembly));
                return 0;
            case "-h" or "-help" or "--help":
                await stdout.WriteLineAsync(HelpText.Commands);
                return 0;
            case "version":
                if (WantsHelp(rest))
                {
                    await stdout.WriteLineAsync(HelpText.Version);
                    return 0;
                }

                await stdout.WriteLineAsync(HelpText.VersionLine(typeof(CommandLine).Assembly));
                return 0;
            case "validate":
                return ValidateCommand.Run(rest, stdout, stderr, environment, workingDirectory);
            case "agent":
                return await AgentAsync(rest, stdout, stderr, environment, workingDirectory, runAgent, cancellationToken);
            case "sim":
                return await SimRunner.RunAsync(rest, cancellationToken);
            case "simulate":
                return SimulateCommand.Run(rest, stdout, stderr, environment, workingDirectory);
            default:
                await stderr.WriteLineAsync(HelpText.Commands);
                return 127;
        }
    }

    private static async Task<int> AgentAsync(
        string[] args, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string?> environment, string workingDirectory,
        Func<AgentCommandLine, CancellationToken, Task<int>> runAgent, CancellationToken cancellationToken)
    {
        // mitchellh/cli shows a command's help when -h/-help/--help appears anywhere before "--".
        if (WantsHelp(args))
        {
            await stdout.WriteLineAsync(HelpText.Agent);
            return 0;
        }

        AgentCommandLine commandLine;
        try
        {
            commandLine = AgentFlags.Parse(args, out _);
            // Configuration is checked here too so a bad file is reported like a bad flag, before anything starts.
            ConfigLoader.Load(commandLine.ConfigPaths, commandLine.Flags, environment, workingDirectory);
        }
        catch (FlagException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            await stderr.WriteLineAsync(HelpText.AgentHelpHint);
            return 1;
        }
        catch (ConfigException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            await stderr.WriteLineAsync(HelpText.AgentHelpHint);
            return 1;
        }

        return await runAgent(commandLine, cancellationToken);
    }

    private static bool WantsHelp(IEnumerable<string> args) =>
        args.TakeWhile(a => a != "--").Any(a => a is "-h" or "-help" or "--help");

    private static Task<int> RunAgentAsync(AgentCommandLine commandLine, CancellationToken cancellationToken) =>
        AgentRunner.RunAsync(commandLine, cancellationToken);
}
