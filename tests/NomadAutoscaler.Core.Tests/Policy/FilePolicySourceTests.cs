using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Core.Tests.Policy;

public sealed class FilePolicySourceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("file-policy-source-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly LogSink _logs = new();
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        _cts.Cancel();
        _cts.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Policy(string name, int max = 3, bool enabled = true) => $$"""
        scaling "{{name}}" {
          enabled = {{(enabled ? "true" : "false")}}
          max     = {{max}}
          policy {
            check "cpu" {
              query = "avg_cpu"
              strategy "target-value" {
                target = 70
              }
            }
            target "nomad-target" {
              Job   = "shop"
              Group = "{{name}}"
            }
          }
        }

        """;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private FilePolicySource Source(TimeProvider? time = null) =>
        new(_dir, FilePolicyDefaults.Upstream, _logs, time ?? _time, TimeSpan.FromMilliseconds(200));

    [Fact]
    public void A_broken_file_is_logged_and_every_other_policy_is_kept()
    {
        Write("a-good.hcl", Policy("web"));
        var broken = Write("b-broken.hcl", "scaling \"x\" {\n  max = \"unterminated\n}\n");
        var mixed = Write("c-mixed.hcl", Policy("api") + Policy("bad", max: -1));
        Write("d-disabled.json", """{"scaling": {"parked": {"max": 1, "policy": {}}}}""");
        Write("notes.txt", "ignored");
        using var source = Source();

        var snapshot = source.ReadSnapshot();

        Assert.Equal("file", snapshot.Source);
        Assert.Equal(["web", "api"], snapshot.Policies.Select(p => p.Name));
        Assert.Equal(2, snapshot.Errors.Count);
        Assert.StartsWith($"failed to decode file {broken}: {broken}:2,", snapshot.Errors[0], StringComparison.Ordinal);
        Assert.Contains("Unterminated template string", snapshot.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith($"failed to validate file {mixed}: policy \"bad\": {mixed}:19,3-15: Invalid scaling policy; policy Max can't be negative", snapshot.Errors[1], StringComparison.Ordinal);

        var decodeError = Assert.Single(_logs.Entries, e => e.Message == "failed to decode file");
        Assert.Equal((LogLevel.Error, "file_policy_source", broken), (decodeError.Level, decodeError.Category, decodeError["file"]));
        // The logged error carries the source line and a caret, not only the one-line message.
        Assert.Contains("  2 |   max = \"unterminated", (string)decodeError["error"]!, StringComparison.Ordinal);
        var invalid = Assert.Single(_logs.Entries, e => e.Message == "failed to validate policy");
        Assert.Equal((LogLevel.Error, "bad"), (invalid.Level, invalid["policy"]));
        var disabled = Assert.Single(_logs.Entries, e => e.Message == "policy is disabled");
        Assert.Equal((LogLevel.Information, "parked"), (disabled.Level, disabled["policy"]));
    }

    [Fact]
    public void A_missing_directory_is_a_source_error()
    {
        using var source = new FilePolicySource(Path.Combine(_dir, "missing"), FilePolicyDefaults.Upstream, _logs, _time);

        var snapshot = source.ReadSnapshot();

        Assert.Empty(snapshot.Policies);
        Assert.StartsWith($"failed to read policy directory {Path.Combine(_dir, "missing")}", Assert.Single(snapshot.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_rereads_at_once_and_unchanged_policies_keep_id_and_revision()
    {
        Write("a.hcl", Policy("web"));
        var changing = Write("b.hcl", Policy("api"));
        using var source = Source();
        await using var watch = source.WatchAsync(_cts.Token).GetAsyncEnumerator();
        var first = await NextAsync(watch);

        File.WriteAllText(changing, Policy("api", max: 9));
        source.Reload();
        var second = await NextAsync(watch);

        var (web1, web2) = (first.Policies.Single(p => p.Name == "web"), second.Policies.Single(p => p.Name == "web"));
        Assert.Equal((web1.Id, web1.Revision), (web2.Id, web2.Revision));
        var (api1, api2) = (first.Policies.Single(p => p.Name == "api"), second.Policies.Single(p => p.Name == "api"));
        Assert.Equal(api1.Id, api2.Id);
        Assert.NotEqual(api1.Revision, api2.Revision);
        Assert.Equal(9, api2.Max);
    }

    [Fact]
    public async Task Reload_with_a_new_directory_reads_that_one()
    {
        Write("a.hcl", Policy("web"));
        var other = Directory.CreateDirectory(Path.Combine(_dir, "other")).FullName;
        File.WriteAllText(Path.Combine(other, "b.hcl"), Policy("api"));
        using var source = Source();
        await using var watch = source.WatchAsync(_cts.Token).GetAsyncEnumerator();
        Assert.Equal(["web"], (await NextAsync(watch)).Policies.Select(p => p.Name));

        source.Reload(other, FilePolicyDefaults.Upstream);

        Assert.Equal(["api"], (await NextAsync(watch)).Policies.Select(p => p.Name));
        Assert.Equal(other, source.Directory);
    }

    [Fact]
    public async Task Watching_picks_up_an_addition_an_edit_and_a_removal_after_the_debounce()
    {
        Write("a.hcl", Policy("web"));
        using var source = Source();
        await using var watch = source.WatchAsync(_cts.Token).GetAsyncEnumerator();
        Assert.Equal(["web"], (await NextAsync(watch)).Policies.Select(p => p.Name));

        var added = Write("b.hcl", Policy("api"));
        var afterAdd = await NextAfterDebounceAsync(watch, s => s.Policies.Count == 2);
        var apiRevision = afterAdd.Policies.Single(p => p.Name == "api").Revision;

        File.WriteAllText(added, Policy("api", max: 7));
        var afterEdit = await NextAfterDebounceAsync(watch, s => s.Policies.Any(p => p.Name == "api" && p.Max == 7));
        Assert.NotEqual(apiRevision, afterEdit.Policies.Single(p => p.Name == "api").Revision);

        File.Delete(added);
        var afterRemove = await NextAfterDebounceAsync(watch, s => s.Policies.Count == 1);
        Assert.Equal(["web"], afterRemove.Policies.Select(p => p.Name));
    }

    [Fact]
    public async Task A_file_event_alone_does_not_reread_before_the_debounce_elapses()
    {
        Write("a.hcl", Policy("web"));
        using var source = Source();
        await using var watch = source.WatchAsync(_cts.Token).GetAsyncEnumerator();
        await NextAsync(watch);

        Write("b.hcl", Policy("api"));
        var pending = watch.MoveNextAsync().AsTask();
        // Without the fake clock moving, the debounce timer cannot fire; an explicit reload is what gets through.
        source.Reload();
        Assert.True(await pending.WaitAsync(Timeout));
        Assert.Equal(2, watch.Current.Policies.Count);
    }

    [Fact]
    public async Task With_the_system_clock_a_change_arrives_within_seconds()
    {
        Write("a.hcl", Policy("web"));
        using var source = new FilePolicySource(_dir, FilePolicyDefaults.Upstream, _logs);
        await using var watch = source.WatchAsync(_cts.Token).GetAsyncEnumerator();
        await NextAsync(watch);
        var started = TimeProvider.System.GetTimestamp();

        Write("b.hcl", Policy("api"));
        while (true)
        {
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout));
            if (watch.Current.Policies.Count == 2) break;
        }

        // Debounce is 0.5 s; the bound leaves room for a busy machine while still catching a stuck watcher.
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
    }

    private static async Task<PolicySnapshot> NextAsync(IAsyncEnumerator<PolicySnapshot> watch)
    {
        Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Timeout));
        return watch.Current;
    }

    /// <summary>Moves the fake clock past the debounce until the watcher (driven by real file events) yields a
    /// snapshot that satisfies <paramref name="wanted"/>.</summary>
    private async Task<PolicySnapshot> NextAfterDebounceAsync(IAsyncEnumerator<PolicySnapshot> watch, Func<PolicySnapshot, bool> wanted)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var move = watch.MoveNextAsync().AsTask();
            while (!move.IsCompleted)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("no snapshot after the file change");
                _time.Advance(TimeSpan.FromMilliseconds(250));
                // The file event arrives on a watcher thread; give it a moment before moving the clock again.
                await Task.WhenAny(move, Task.Delay(20));
            }

            Assert.True(await move);
            if (wanted(watch.Current)) return watch.Current;
        }
    }

    /// <summary>Records log entries with their pairs.</summary>
    private sealed class LogSink : ILoggerFactory
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        internal sealed record Entry(string Category, LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>> Pairs)
        {
            public object? this[string key] => Pairs.FirstOrDefault(p => p.Key == key).Value;
        }

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>> ?? []));
        }
    }
}
