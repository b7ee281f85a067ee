using System.Collections;
using System.Runtime.InteropServices;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Agent;

/// <summary>`nomad-autoscaler sim`: the Nomad API simulator on its own, so any agent config can point at it.</summary>
internal static class SimRunner
{
    public static async Task<int> RunAsync(string[] simArgs, CancellationToken cancellationToken)
    {
        if (SimulatorCommandLine.IsHelpRequest(simArgs))
        {
            await Console.Out.WriteLineAsync(SimulatorCommandLine.HelpText);
            return 0;
        }

        SimulatorOptions options;
        try
        {
            var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
            options = SimulatorCommandLine.Parse(simArgs, environment);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync("Run 'nomad-autoscaler sim -h' for more information.");
            return 1;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        await using var simulator = new NomadSimulator();
        Uri address;
        try
        {
            address = await simulator.StartAsync(options, stop.Token);
        }
        catch (NomadAutoscaler.OpenStack.OpenStackConfigException ex)
        {
            await Console.Error.WriteLineAsync($"cloud join: {ex.Message}");
            return 1;
        }

        // Only -scenario=dev turns the simulated cloud on; its pool starts at its minimum, as in agent -dev.
        if (simulator.Cloud is not null) SimulatorScenarios.StartDevPool(simulator);
        await Console.Out.WriteLineAsync($"Nomad API simulator listening on {address}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
