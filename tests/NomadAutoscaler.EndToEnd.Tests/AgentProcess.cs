using System.Collections.Concurrent;
using System.Diagnostics;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The real `nomad-autoscaler` binary as a child process, with its log captured.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private AgentProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("repository root (Plugins.sln) not found");
        }
    }

    public static string AgentDirectory => Path.Combine(RepoRoot, "artifacts", "bin", "NomadAutoscaler.Agent", "debug");

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Log => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public static AgentProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AgentDirectory, "nomad-autoscaler"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return new AgentProcess(Process.Start(info) ?? throw new InvalidOperationException("agent did not start"));
    }

    /// <summary>SIGTERM, as an operator's service manager sends it.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL of the agent alone, as a crashed host would leave it; its plugins die with it (pdeathsig).</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async Task WaitForLogAsync(Func<string, bool> match, string what, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!_lines.Any(match))
        {
            if (_process.HasExited) Assert.Fail($"agent exited ({_process.ExitCode}) before: {what}\n{Log}");
            if (cts.IsCancellationRequested) Assert.Fail($"timed out waiting for: {what}\n{Log}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
