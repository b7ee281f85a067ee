using System.Collections.Concurrent;
using System.Diagnostics;

namespace NomadAutoscaler.Plugins.Sdk.Testing.Internal;

/// <summary>A plugin executable started the way a go-plugin host starts it: extra environment, stdout read for the
/// handshake line, stderr collected line by line. Killed (with its children) on dispose if still running.</summary>
internal sealed class PluginProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private Task<string>? _restOfStdout;

    private PluginProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> StderrLines => [.. _stderr];

    /// <param name="executablePath">The plugin executable.</param>
    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    /// <param name="arguments">Command-line arguments.</param>
    public static PluginProcess Start(string executablePath, IReadOnlyDictionary<string, string?> environment, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(executablePath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
        // Start from a clean slate: go-plugin variables inherited from the caller would change what is being checked.
        foreach (var key in startInfo.Environment.Keys.Where(IsProtocolVariable).ToList()) startInfo.Environment.Remove(key);
        foreach (var (key, value) in environment)
        {
            if (value is null) startInfo.Environment.Remove(key);
            else startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        var plugin = new PluginProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) plugin._stderr.Enqueue(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        return plugin;
    }

    /// <summary>Reads the first stdout line. Null when the process closed stdout (exited) first.</summary>
    /// <exception cref="TimeoutException">No line within <paramref name="timeout"/>.</exception>
    public async Task<string?> ReadFirstLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var line = await _process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken);
        _restOfStdout = _process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        return line;
    }

    /// <summary>Everything written to stdout after the first line; call after the process exited.</summary>
    public async Task<string> ReadRestOfStdoutAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _restOfStdout ??= _process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        return await _restOfStdout.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>Waits for exit (and for stderr to reach EOF). False on timeout.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (TimeoutException)
        {
        }

        _process.Dispose();
    }

    private static bool IsProtocolVariable(string key)
        => key.StartsWith("PLUGIN_", StringComparison.Ordinal) || key.StartsWith("NOMAD_AUTOSCALER_PLUGIN_", StringComparison.Ordinal);
}
