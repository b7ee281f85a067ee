using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Plugins;

public class PluginSupervisorTests
{
    private sealed class FakeProcess(int pid, DateTimeOffset startedAt) : ISupervisedProcess
    {
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Exited => _exited.Task;

        public int? ExitCode { get; private set; }

        public int ProcessId => pid;

        public DateTimeOffset StartedAt => startedAt;

        public bool StopRequested { get; private set; }

        public IReadOnlyList<string> LastStderrLines { get; init; } = ["panic: boom"];

        public bool Disposed { get; private set; }

        public void Crash(int code)
        {
            ExitCode = code;
            _exited.TrySetResult();
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            StopRequested = true;
            _exited.TrySetResult();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Harness
    {
        private readonly Lock _lock = new();
        private int _scheduled;

        /// <summary>Restart timers set so far; advancing fake time before a timer exists would not fire it.</summary>
        public int Scheduled => Volatile.Read(ref _scheduled);

        private int _graces;

        public Harness(int failLaunches = 0)
        {
            FailLaunches = failLaunches;
            Supervisor = new PluginSupervisor<FakeProcess>("p", PluginKind.Target, LaunchAsync,
                new PluginHostOptions { PluginDir = "/nowhere", TimeProvider = Time, Stopping = AgentStop.Token }, Logs.CreateLogger("agent.plugin_manager"));
            Supervisor.Crashed += (_, delay) => { lock (_lock) Delays.Add(delay); };
            Supervisor.RestartScheduled += _ => Interlocked.Increment(ref _scheduled);
            Supervisor.StopSignalGraceStarted += () => Interlocked.Increment(ref _graces);
        }

        /// <summary>The agent's stop signal.</summary>
        public CancellationTokenSource AgentStop { get; } = new();

        /// <summary>Exits that began waiting for the agent's own stop.</summary>
        public int Graces => Volatile.Read(ref _graces);

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        public CapturingLoggerFactory Logs { get; } = new();

        public List<FakeProcess> Launched { get; } = [];

        public List<TimeSpan> Delays { get; } = [];

        public int FailLaunches { get; set; }

        public int LaunchAttempts { get; private set; }

        public PluginSupervisor<FakeProcess> Supervisor { get; }

        private Task<FakeProcess> LaunchAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                LaunchAttempts++;
                if (LaunchAttempts > 1 && FailLaunches > 0)
                {
                    FailLaunches--;
                    throw new PluginLaunchException("p", PluginKind.Target, "/nowhere/p", "launch failed on purpose");
                }

                var process = new FakeProcess(100 + Launched.Count, Time.GetUtcNow());
                Launched.Add(process);
                return Task.FromResult(process);
            }
        }

        public int LaunchedCount
        {
            get
            {
                lock (_lock) return Launched.Count;
            }
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition) => Eventually.WaitUntilAsync(condition, TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_crash_is_logged_and_restarted_after_the_initial_delay()
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(2);
        await WaitUntilAsync(() => h.Scheduled == 1);

        var unavailable = Assert.Throws<PluginUnavailableException>(() => h.Supervisor.Current());
        Assert.Contains("target plugin \"p\" is restarting", unavailable.Message, StringComparison.Ordinal);
        var crashLog = Assert.Single(h.Logs.Entries, e => e.Message == "plugin process exited unexpectedly");
        Assert.Equal("2", crashLog["exit_code"]);
        Assert.Equal("panic: boom", crashLog["last_stderr"]);

        h.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, h.LaunchedCount);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => h.Supervisor.RestartCount == 1);
        Assert.Same(h.Launched[1], h.Supervisor.Current());
        Assert.True(h.Launched[0].Disposed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(143)]
    [InlineData(2)]
    public async Task An_exit_once_the_agent_is_stopping_is_logged_at_debug_and_restarts_nothing(int exitCode)
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        await h.AgentStop.CancelAsync();
        h.Launched[0].Crash(exitCode);

        await WaitUntilAsync(() => h.Logs.Entries.Any(e => e.Message == "plugin process exited as the agent stops"));
        var entry = Assert.Single(h.Logs.Entries, e => e.Message == "plugin process exited as the agent stops");
        Assert.Equal((Microsoft.Extensions.Logging.LogLevel.Debug, exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture)), (entry.Level, (string?)entry["exit_code"]));
        Assert.DoesNotContain(h.Logs.Entries, e => e.Message == "plugin process exited unexpectedly");
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal((0, 1, 0), (h.Scheduled, h.LaunchedCount, h.Delays.Count));
        Assert.True(h.Launched[0].Disposed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(130)]
    [InlineData(143)]
    public async Task A_plugin_that_a_group_signal_stops_before_the_agent_sees_its_own_copy_is_not_a_crash(int exitCode)
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(exitCode);
        await WaitUntilAsync(() => h.Graces == 1);
        await h.AgentStop.CancelAsync();

        await WaitUntilAsync(() => h.Logs.Entries.Any(e => e.Message == "plugin process exited as the agent stops"));
        Assert.DoesNotContain(h.Logs.Entries, e => e.Message == "plugin process exited unexpectedly");
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal((0, 1), (h.Scheduled, h.LaunchedCount));
    }

    [Fact]
    public async Task A_stop_like_exit_while_the_agent_runs_on_is_a_crash_once_the_grace_has_passed()
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(143);
        await WaitUntilAsync(() => h.Graces == 1);
        Assert.DoesNotContain(h.Logs.Entries, e => e.Message == "plugin process exited unexpectedly");

        h.Time.Advance(TimeSpan.FromMilliseconds(250));
        await WaitUntilAsync(() => h.Scheduled == 1);
        Assert.Equal("143", Assert.Single(h.Logs.Entries, e => e.Message == "plugin process exited unexpectedly")["exit_code"]);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => h.Supervisor.RestartCount == 1);
    }

    [Fact]
    public async Task A_crash_waiting_for_its_restart_is_not_restarted_once_the_agent_stops()
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(2);
        await WaitUntilAsync(() => h.Scheduled == 1);

        await h.AgentStop.CancelAsync();
        h.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(1, h.LaunchedCount);
        await h.Supervisor.DisposeAsync();
        Assert.Equal(1, h.LaunchedCount);
    }

    [Fact]
    public async Task Consecutive_crashes_double_the_delay_up_to_the_maximum()
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        for (var i = 0; i < 8; i++)
        {
            h.Launched[i].Crash(1);
            await WaitUntilAsync(() => h.Scheduled == i + 1);
            h.Time.Advance(h.Delays[i]);
            await WaitUntilAsync(() => h.Supervisor.RestartCount == i + 1);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], h.Delays.Select(d => (int)d.TotalSeconds));
    }

    [Fact]
    public async Task A_plugin_that_ran_long_enough_restarts_from_the_initial_delay_again()
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(1);
        await WaitUntilAsync(() => h.Scheduled == 1);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => h.Supervisor.RestartCount == 1);

        h.Time.Advance(TimeSpan.FromMinutes(2));
        h.Launched[1].Crash(1);
        await WaitUntilAsync(() => h.Delays.Count == 2);
        Assert.Equal(TimeSpan.FromSeconds(1), h.Delays[1]);
    }

    [Fact]
    public async Task Failed_relaunches_keep_backing_off_and_are_logged()
    {
        var h = new Harness(failLaunches: 2);
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(1);
        await WaitUntilAsync(() => h.Scheduled == 1);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => h.Scheduled == 2);
        Assert.Equal(2, h.LaunchAttempts);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        await WaitUntilAsync(() => h.Scheduled == 3);
        Assert.Equal(3, h.LaunchAttempts);
        h.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(3, h.LaunchAttempts);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => h.Supervisor.RestartCount == 1);
        Assert.Equal(2, h.Logs.Entries.Count(e => e.Message == "failed to restart plugin"));
    }

    [Fact]
    public async Task A_requested_stop_is_not_a_crash_and_dispose_cancels_a_pending_restart()
    {
        var h = new Harness();
        await h.Supervisor.StartAsync(CancellationToken.None);
        h.Launched[0].Crash(1);
        await WaitUntilAsync(() => h.Scheduled == 1);
        await h.Supervisor.DisposeAsync();
        h.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, h.LaunchedCount);
        var ex = Assert.Throws<PluginUnavailableException>(() => h.Supervisor.Current());
        Assert.Contains("has been shut down", ex.Message, StringComparison.Ordinal);

        var h2 = new Harness();
        await h2.Supervisor.StartAsync(CancellationToken.None);
        await h2.Supervisor.DisposeAsync();
        Assert.True(h2.Launched[0].Disposed);
        Assert.Empty(h2.Delays);
    }
}
