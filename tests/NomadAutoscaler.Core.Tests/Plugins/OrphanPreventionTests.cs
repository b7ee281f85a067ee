using System.Diagnostics;
using NomadAutoscaler.Core.Plugins.External;

namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>A SIGKILLed agent must not leave plugin processes behind.</summary>
public class OrphanPreventionTests
{
    [Fact]
    public async Task Plugins_die_when_the_agent_is_sigkilled()
    {
        Assert.True(ChildProcessLauncher.KillsOrphans, $"{ChildProcessLauncher.SetprivPath} (util-linux) is required on Linux to tie plugins to the agent's life");
        using var dir = new PluginDirectory();
        dir.AddNoop("noop-strategy");
        var startInfo = new ProcessStartInfo(TestPaths.OrphanHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(dir.Path);
        startInfo.ArgumentList.Add("strategy");
        startInfo.ArgumentList.Add("noop-strategy");
        using var host = Process.Start(startInfo)!;
        var stderr = host.StandardError.ReadToEndAsync();
        int pluginPid;
        string? socketDir = null;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await host.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.True(line is not null && line.StartsWith("PID ", StringComparison.Ordinal), $"orphan host said \"{line}\"; stderr: {(host.HasExited ? await stderr : "")}");
            pluginPid = int.Parse(line["PID ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var dirLine = await host.StandardOutput.ReadLineAsync(timeout.Token);
            socketDir = dirLine?.StartsWith("DIR ", StringComparison.Ordinal) == true ? dirLine["DIR ".Length..] : null;
            Assert.True(ProcessProbe.IsAlive(pluginPid));
        }
        finally
        {
            // SIGKILL: no managed shutdown code runs in the host.
            host.Kill();
            await host.WaitForExitAsync();
        }

        try
        {
            await Eventually.WaitUntilAsync(() => !ProcessProbe.IsAlive(pluginPid), TimeSpan.FromSeconds(5), "plugin dies with its agent");
        }
        finally
        {
            if (socketDir is not null && Directory.Exists(socketDir)) Directory.Delete(socketDir, recursive: true);
        }
    }

    [Fact]
    public async Task A_plugin_survives_the_exit_of_the_thread_that_asked_for_it()
    {
        // PR_SET_PDEATHSIG fires when the forking *thread* exits; the launcher's dedicated thread keeps that from happening.
        var startInfo = ChildProcessLauncher.CreateStartInfo("/bin/sleep", ["30"]);
        Task<Process>? started = null;
        var thread = new Thread(() => started = ChildProcessLauncher.StartAsync(startInfo));
        thread.Start();
        thread.Join();
        using var process = await started!;
        try
        {
            // A second launch proves the launcher thread is still there, and gives the first child time to be signalled if it were.
            using var second = await ChildProcessLauncher.StartAsync(ChildProcessLauncher.CreateStartInfo("/bin/true", []));
            await second.WaitForExitAsync();
            Assert.False(process.HasExited);
            Assert.True(ProcessProbe.IsAlive(process.Id));
        }
        finally
        {
            process.Kill();
        }
    }
}
