using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The real `nomad-autoscaler` binary as a child process, with its log captured.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private AgentProcess(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
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

    /// <summary>Creates <c>&lt;root&gt;/plugins</c>: the agent's bundled plugins and the named test plugins
    /// (tests/TestPlugins), as exec wrappers so each executable still runs from its own build folder next to its
    /// dependencies.</summary>
    public static string BuildPluginDir(string root, params string[] testPlugins)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "plugins")).FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(AgentDirectory, "plugins")))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) == 0) continue;
            AddWrapper(dir, Path.GetFileName(file), file);
        }

        foreach (var id in testPlugins) AddWrapper(dir, id, Path.Combine(RepoRoot, "artifacts", "bin", id, "debug", id));
        return dir;
    }

    private static void AddWrapper(string dir, string name, string target)
    {
        Assert.True(File.Exists(target), $"plugin {target} is missing; build the agent and tests/TestPlugins/{name}");
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, $"#!/bin/sh\nexec '{target}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public IReadOnlyList<string> Lines => [.. _lines];

    public string Log => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>The port of the agent's HTTP API.</summary>
    public int HttpPort { get; }

    /// <summary>The agent's HTTP API, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Http => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>A port that was free a moment ago. Config cannot ask for port 0 (it means "unset", as upstream), so
    /// each agent gets its own port and parallel tests never race for upstream's default 8080.</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Starts the agent; unless <paramref name="args"/> name one, it gets <c>-http-bind-port</c> with a free port.</summary>
    public static AgentProcess Start(params string[] args) => StartWithEnvironment(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="Start"/>, with <paramref name="environment"/> added to (or replacing entries of) this process's.</summary>
    public static AgentProcess StartWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args)
        => StartThrough([], environment, args);

    /// <summary>As <see cref="Start"/>, run by <paramref name="launcher"/> (a command that ends by exec'ing its
    /// arguments, so the process is the agent: <c>setsid</c>, or <c>/bin/sh -c '...; exec "$0" "$@"'</c>).</summary>
    public static AgentProcess StartThrough(IReadOnlyList<string> launcher, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var httpPort = 0;
        var portIndex = Array.IndexOf(args, "-http-bind-port");
        if (portIndex >= 0) httpPort = int.Parse(args[portIndex + 1], System.Globalization.CultureInfo.InvariantCulture);
        else if (args.Length > 0 && args[0] == "agent")
        {
            httpPort = FreePort();
            args = [.. args, "-http-bind-port", httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        var agent = Path.Combine(AgentDirectory, "nomad-autoscaler");
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : agent)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launcher.Count > 0)
        {
            foreach (var arg in launcher.Skip(1)) info.ArgumentList.Add(arg);
            info.ArgumentList.Add(agent);
        }

        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        return new AgentProcess(Process.Start(info) ?? throw new InvalidOperationException("agent did not start"), httpPort);
    }

    /// <summary>SIGTERM, as an operator's service manager sends it.</summary>
    public Task<int> TerminateAsync(TimeSpan timeout) => SignalAsync("TERM", timeout);

    /// <summary>Sends the signal (<c>INT</c> is Ctrl-C) and waits for the exit code.</summary>
    public async Task<int> SignalAsync(string signal, TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Exit code once the process has ended by itself (for start-up failures).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGINT, as Ctrl-C sends it.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
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

    public Task WaitForLogAsync(Func<string, bool> match, string what, TimeSpan timeout) =>
        WaitUntilAsync(() => Task.FromResult(_lines.Any(match)), what, timeout);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails, with the agent's log, when the agent exits
    /// first or <paramref name="timeout"/> passes.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <inheritdoc cref="WaitUntilAsync(Func{bool}, string, TimeSpan)"/>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (_process.HasExited) Assert.Fail($"agent exited ({_process.ExitCode}) before: {what}\n{Log}");
            if (cts.IsCancellationRequested) Assert.Fail($"timed out waiting for: {what}\n{Log}");
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>Waits until the agent's API shows a non-empty <c>scaling_history</c> for the named policy (or its only
    /// one) and returns it; a restarted agent fills it from what it restores.</summary>
    public async Task<JsonArray> WaitForScalingHistoryAsync(string? policyName, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Http };
        JsonArray? history = null;
        await WaitUntilAsync(async () =>
        {
            try
            {
                var list = await http.GetFromJsonAsync<JsonObject>("v1/policies");
                var policies = list?["policies"]?.AsArray() ?? [];
                var policy = policyName is null ? policies.FirstOrDefault() : policies.FirstOrDefault(p => (string?)p?["name"] == policyName);
                if (policy is null) return false;
                var detail = await http.GetFromJsonAsync<JsonObject>($"v1/policy/{(string)policy["id"]!}");
                history = detail?["scaling_history"]?.AsArray();
                return history is { Count: > 0 };
            }
            catch (HttpRequestException)
            {
                return false; // not listening yet
            }
        }, "the restored scaling history", timeout);
        return history!;
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
