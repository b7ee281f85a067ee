using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.HighAvailability;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Core.Policy;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>Keeps one <see cref="PolicyHandler"/> per policy, following the snapshots of every policy source.</summary>
internal sealed class PolicyManager : IAsyncDisposable
{
    private readonly IPluginDirectory _plugins;
    private readonly ScalingQueues _queues;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly AutoscalerMetrics _metrics;
    private readonly IEvaluationGate? _gate;
    private readonly IDecisionJournal? _journal;
    private readonly Action<PolicyHandler, TimeSpan> _start;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PolicyHandler> _handlers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _sourceErrors = new(StringComparer.Ordinal);

    // The last snapshot of each source that had a policy refused for a conflict: when the policy it conflicted with
    // goes away, the snapshot is applied again so the refused policy starts without waiting for its source to change.
    private readonly Dictionary<string, PolicySnapshot> _refusedSnapshots = new(StringComparer.Ordinal);

    /// <summary>Spacing of the first evaluations of policies that arrive together (see <see cref="ApplyAsync"/>).</summary>
    public static readonly TimeSpan StartSpread = TimeSpan.FromMilliseconds(1);

    /// <param name="start">Starts a new handler's schedule, its first evaluation one interval plus the given offset
    /// away. By default the handler runs its own loop; the scaling lab drives handlers from its virtual clock.</param>
    public PolicyManager(IPluginDirectory plugins, IReadOnlyDictionary<string, int> workers, TimeProvider time, ILoggerFactory loggers, AutoscalerMetrics metrics,
        IEvaluationGate? gate = null, Action<PolicyHandler, TimeSpan>? start = null, IDecisionJournal? journal = null)
    {
        _gate = gate;
        _journal = journal;
        _start = start ?? ((handler, offset) => handler.Start(offset));
        _plugins = plugins;
        _queues = new ScalingQueues(workers, time);
        _time = time;
        _loggers = loggers;
        _metrics = metrics;
        _logger = loggers.CreateLogger("policy_manager");
        metrics.Gauge("policy.total_num", () => Count);
        metrics.Gauge("policy.queue.cluster", () => _queues.InUse.GetValueOrDefault(PolicyTypes.Cluster));
        metrics.Gauge("policy.queue.horizontal", () => _queues.InUse.GetValueOrDefault(PolicyTypes.Horizontal));
    }

    public int Count
    {
        get
        {
            lock (_lock) return _handlers.Count;
        }
    }

    /// <summary>A consistent copy of the running handlers, for the HTTP API.</summary>
    public IReadOnlyList<PolicyHandler> Handlers
    {
        get
        {
            lock (_lock) return [.. _handlers.Values];
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> SourceErrors
    {
        get
        {
            lock (_lock) return new Dictionary<string, IReadOnlyList<string>>(_sourceErrors);
        }
    }

    public PolicyHandler? Find(string id)
    {
        lock (_lock) return _handlers.GetValueOrDefault(id);
    }

    /// <summary>Follows all sources until cancelled. A failing source is restarted after a pause; the others go on.</summary>
    public Task RunAsync(IEnumerable<IPolicySource> sources, CancellationToken cancellationToken)
        => Task.WhenAll(sources.Select(s => FollowAsync(s, cancellationToken)));

    private async Task FollowAsync(IPolicySource source, CancellationToken cancellationToken)
    {
        _logger.Hclog(LogLevel.Information, "starting policy source", ("source", source.Name));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var snapshot in source.WatchAsync(cancellationToken))
                    await ApplyAsync(snapshot);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _metrics.SourceError.Add(1, new KeyValuePair<string, object?>("policy_source", source.Name));
                _logger.Hclog(LogLevel.Error, "encountered an error monitoring policy IDs", ("source", source.Name), ("error", ex.Message));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Makes the running handlers of <paramref name="snapshot"/>'s source match it.</summary>
    /// <remarks>A policy that drives the same target as a running policy of any source, or as an earlier policy of
    /// the snapshot, is refused: logged, listed among the source's errors, and not run (<see cref="PolicyConflicts"/>).</remarks>
    public Task ApplyAsync(PolicySnapshot snapshot) => ApplyAsync(snapshot, retry: false);

    private async Task ApplyAsync(PolicySnapshot snapshot, bool retry)
    {
        var removed = new List<PolicyHandler>();
        var added = new List<PolicyHandler>();
        var refusals = new List<(ScalingPolicy Later, ScalingPolicy First, string Error)>();
        List<PolicySnapshot> retries = [];
        lock (_lock)
        {
            // A retry is only worth applying while it is still its source's latest word; a newer snapshot that
            // arrived meanwhile has already been applied against the freed target.
            if (retry && !(_refusedSnapshots.TryGetValue(snapshot.Source, out var latest) && ReferenceEquals(latest, snapshot))) return;
            var wanted = new HashSet<string>(StringComparer.Ordinal);
            var accepted = AcceptConflictFree(snapshot, refusals);
            _sourceErrors[snapshot.Source] = refusals.Count == 0 ? snapshot.Errors : [.. snapshot.Errors, .. refusals.Select(r => r.Error)];
            if (refusals.Count > 0) _refusedSnapshots[snapshot.Source] = snapshot;
            else _refusedSnapshots.Remove(snapshot.Source);
            foreach (var incoming in accepted)
            {
                var policy = Prepare(incoming);
                wanted.Add(policy.Id);
                if (_handlers.TryGetValue(policy.Id, out var existing))
                {
                    if (existing.Policy.Revision == policy.Revision && policy.Revision.Length > 0) continue;
                    existing.Update(policy);
                    _logger.Hclog(LogLevel.Information, "updated policy", ("policy_id", policy.Id), ("source", policy.Source));
                    continue;
                }

                var handler = new PolicyHandler(policy, _plugins, _queues, _time, _loggers, _metrics, _gate, _journal);
                _handlers[policy.Id] = handler;
                added.Add(handler);
                _logger.Hclog(LogLevel.Information, "starting policy handler", ("policy_id", policy.Id), ("source", policy.Source), ("target", policy.Target.Name));
            }

            // Policies that arrive together (a directory of files at start-up) would otherwise all fall due in the
            // same instant, every interval, and wait behind each other: 10,000 of them made the p99 lateness seconds.
            // Their first evaluations are spaced StartSpread apart, or closer so that they stay within one interval.
            for (var i = 0; i < added.Count; i++)
            {
                var interval = added[i].Policy.EvaluationInterval;
                var step = added.Count > 1 && interval / added.Count < StartSpread ? interval / added.Count : StartSpread;
                _start(added[i], step * i);
            }

            foreach (var (id, handler) in _handlers.Where(h => h.Value.Policy.Source == snapshot.Source && !wanted.Contains(h.Key)).ToList())
            {
                _handlers.Remove(id);
                removed.Add(handler);
            }

            if (removed.Count > 0) retries = [.. _refusedSnapshots.Where(r => r.Key != snapshot.Source).Select(r => r.Value)];
        }

        foreach (var (later, first, error) in refusals)
        {
            _logger.Hclog(LogLevel.Error, "refusing policy that drives the same target as another",
                ("policy_id", later.Id), ("source", later.Source), ("conflicts_with", first.Id), ("error", error));
        }

        foreach (var handler in removed)
        {
            _logger.Hclog(LogLevel.Information, "stopping policy handler", ("policy_id", handler.Policy.Id));
            await handler.DisposeAsync();
        }

        foreach (var other in retries) await ApplyAsync(other, retry: true);
    }

    /// <summary>The policies of <paramref name="snapshot"/> that conflict with nothing, in order. A running policy
    /// keeps its target (unless this snapshot removes it or moves it elsewhere); then the snapshot's own order
    /// decides, which for the file source is file name order.</summary>
    private List<ScalingPolicy> AcceptConflictFree(PolicySnapshot snapshot, List<(ScalingPolicy, ScalingPolicy, string)> refusals)
    {
        var incoming = snapshot.Policies.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var claimed = new Dictionary<string, ScalingPolicy>(StringComparer.Ordinal);
        foreach (var handler in _handlers.Values)
        {
            var running = handler.Policy;
            var stays = running.Source != snapshot.Source
                || (incoming.TryGetValue(running.Id, out var next) && PolicyConflicts.TargetKey(next) == PolicyConflicts.TargetKey(running));
            if (stays && PolicyConflicts.TargetKey(running) is { } key) claimed.TryAdd(key, running);
        }

        var accepted = new List<ScalingPolicy>(snapshot.Policies.Count);
        foreach (var policy in snapshot.Policies)
        {
            if (PolicyConflicts.TargetKey(policy) is { } key)
            {
                if (claimed.TryGetValue(key, out var first) && first.Id != policy.Id)
                {
                    refusals.Add((policy, first, PolicyConflicts.Message(policy, first, key)));
                    continue;
                }

                claimed[key] = policy;
            }

            accepted.Add(policy);
        }

        return accepted;
    }

    /// <summary>Expands short nomad-apm queries and applies upstream's "cluster min ≥ 1" rule where the nomad-apm
    /// utilisation queries could not answer for an empty pool.</summary>
    private ScalingPolicy Prepare(ScalingPolicy policy)
    {
        var checks = policy.Checks
            .Select(c => _plugins.ApmDriver(c.Source) == "nomad-apm" && c.NeedsMetrics
                ? c with { Query = NomadApmQueries.Expand(c.Query, policy.Target.Config) }
                : c)
            .ToList();
        policy = policy with { Checks = checks };

        var onlyUtilisation = checks.Count > 0 && checks.All(c =>
            _plugins.ApmDriver(c.Source) == "nomad-apm" && c.Query.StartsWith("node_percentage-allocated", StringComparison.Ordinal));
        if (policy.Type == PolicyTypes.Cluster && policy.Min == 0 && onlyUtilisation)
        {
            _logger.Hclog(LogLevel.Information, "policy modified", ("policy_id", policy.Id), ("modification", "min value set to 1 since scaling cluster to 0 is not supported by the Nomad APM"));
            policy = policy with { Min = 1 };
        }

        return policy;
    }

    public async ValueTask DisposeAsync()
    {
        List<PolicyHandler> all;
        lock (_lock)
        {
            all = [.. _handlers.Values];
            _handlers.Clear();
        }

        await Task.WhenAll(all.Select(h => h.DisposeAsync().AsTask()));
    }
}
