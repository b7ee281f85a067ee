using System.Diagnostics;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>Runs goplugin-host, the hashicorp/go-plugin client, to completion.</summary>
internal static class GoHost
{
    /// <summary>Covers a cold .NET plugin start, every RPC and a 2 s forced kill, with a wide margin for a loaded machine.</summary>
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    /// <param name="arguments">goplugin-host's command line.</param>
    /// <param name="cancellationToken">Ends the run early.</param>
    /// <param name="runTimeout">How long the run may take; <see cref="RunTimeout"/> unless the run idles on purpose.</param>
    public static async Task<GoHostRun> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken, TimeSpan? runTimeout = null)
    {
        var limit = runTimeout ?? RunTimeout;
        var startInfo = new ProcessStartInfo(GoInteropBinaries.HostPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start {GoInteropBinaries.HostPath}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return new GoHostRun(process.ExitCode, await stdout, await stderr);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The host's own process group would take the plugin down with it; kill the tree to be sure.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"goplugin-host did not finish within {limit}: {string.Join(' ', startInfo.ArgumentList)}");
        }
    }

    /// <summary>The arguments of a conformance run: strict log checking, plus the given extras.</summary>
    public static List<string> Arguments(string pluginPath, string kind, string? config = null, bool autoMtls = false, string? expectName = null)
    {
        List<string> arguments = ["-plugin", pluginPath, "-kind", kind, "-strict-logs"];
        if (config is not null) arguments.AddRange(["-config", config]);
        if (autoMtls) arguments.Add("-automtls");
        if (expectName is not null) arguments.AddRange(["-expect-name", expectName]);
        return arguments;
    }
}
