using System.Collections.Concurrent;
using System.Diagnostics;

namespace NomadAutoscaler.Core.Plugins.External;

/// <summary>Starts plugin processes so that they die with the agent, even when the agent is SIGKILLed.
/// On Linux each child runs through <c>setpriv --pdeathsig KILL</c>, which sets PR_SET_PDEATHSIG and then execs the
/// plugin (same PID). The kernel sends that signal when the <em>thread</em> that forked the child exits, not the
/// process, so every fork happens on one dedicated thread that lives as long as the agent: a pool thread that
/// retires would otherwise kill healthy plugins.</summary>
internal static class ChildProcessLauncher
{
    public const string SetprivPath = "/usr/bin/setpriv";

    private static readonly BlockingCollection<(ProcessStartInfo StartInfo, TaskCompletionSource<Process> Result)> Queue = new();
    private static readonly Lazy<Thread> LauncherThread = new(StartThread);

    /// <summary>True when children are tied to the agent's life (Linux with util-linux setpriv).</summary>
    public static bool KillsOrphans => OperatingSystem.IsLinux() && File.Exists(SetprivPath);

    /// <summary>Builds the start info for <paramref name="executable"/> with <paramref name="args"/>, wrapped when possible.</summary>
    public static ProcessStartInfo CreateStartInfo(string executable, IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(executable) ?? Environment.CurrentDirectory,
        };
        if (KillsOrphans)
        {
            startInfo.FileName = SetprivPath;
            startInfo.ArgumentList.Add("--pdeathsig");
            startInfo.ArgumentList.Add("KILL");
            startInfo.ArgumentList.Add("--");
            startInfo.ArgumentList.Add(executable);
        }
        else
        {
            startInfo.FileName = executable;
        }

        foreach (var arg in args) startInfo.ArgumentList.Add(arg);
        return startInfo;
    }

    /// <summary>Starts the process on the launcher thread.</summary>
    public static Task<Process> StartAsync(ProcessStartInfo startInfo)
    {
        var result = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = LauncherThread.Value;
        Queue.Add((startInfo, result));
        return result.Task;
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "plugin-launcher" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        foreach (var (startInfo, result) in Queue.GetConsumingEnumerable())
        {
            try
            {
                var process = Process.Start(startInfo) ?? throw new InvalidOperationException("the process did not start");
                result.SetResult(process);
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        }
    }
}
