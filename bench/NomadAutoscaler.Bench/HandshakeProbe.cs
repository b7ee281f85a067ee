using System.Diagnostics;
using System.Globalization;
using NomadAutoscaler.Core.Plugins.External;

namespace NomadAutoscaler.Bench;

/// <summary>Starts a plugin executable with the go-plugin environment and times exec to its handshake line on stdout,
/// then kills it. This isolates the plugin's own start-up from the host's connect and first RPCs.</summary>
internal static class HandshakeProbe
{
    public static async Task<double> MeasureAsync(string executable, string socketDir, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.Environment[PluginEnvironment.MagicCookieKey] = PluginEnvironment.MagicCookieValue;
        startInfo.Environment["PLUGIN_PROTOCOL_VERSIONS"] = PluginEnvironment.AppProtocolVersion.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment["PLUGIN_MIN_PORT"] = PluginEnvironment.MinPort.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment["PLUGIN_MAX_PORT"] = PluginEnvironment.MaxPort.ToString(CultureInfo.InvariantCulture);
        startInfo.Environment["PLUGIN_UNIX_SOCKET_DIR"] = socketDir;
        startInfo.Environment[PluginEnvironment.PluginLogLevelKey] = "info";

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {executable}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (line is null || line.Split('|').Length < 5)
                throw new InvalidOperationException($"{executable} printed no handshake line (got \"{line}\")");
            return elapsed.TotalMilliseconds;
        }
        finally
        {
            if (!process.HasExited) process.Kill();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await stderr.ConfigureAwait(false);
        }
    }
}
