using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Simulator.Cloud;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Lab.Faults;

/// <summary>The invariants a run with faults must keep, checked as it runs: at every cloud call the agent makes, and
/// on a timer over the cluster. The first violation stops the run (<see cref="LabInvariantException"/>, thrown on the
/// lab's thread) with the seed and the history leading to it.</summary>
internal sealed class LabInvariants(VirtualClock clock, ClusterState state, SimulatedCloud cloud, IEnumerable<PolicyTrack> tracks,
    LabFaults faults, int seed, TimeSpan convergenceBound, IReadOnlyList<string> secrets)
{
    /// <summary>How often the cluster-wide invariants are looked at.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    private readonly HashSet<string> _faultedNodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenLost = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset?> _convergedSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _problemSince = new(StringComparer.Ordinal);
    private LabInvariantException? _violation;

    /// <summary>The longest any pool took, after faults stopped, to reach and keep what its policy wants.</summary>
    public TimeSpan? LongestConvergence { get; private set; }

    public LabHistory History => faults.History;

    /// <summary>A node that a fault took down: the allocations it lost are the fault's, not the autoscaler's.</summary>
    public void Excuse(string nodeId) => _faultedNodes.Add(nodeId);

    public void Start()
    {
        clock.CreateTimer(_ => Check(), null, CheckInterval, CheckInterval);
    }

    /// <summary>A cloud call that reached the cloud, checked before the cloud acts on it.</summary>
    public void OnCloudCall(HttpMethod method, string path, string? body)
    {
        if (method == HttpMethod.Post && path == "/_sim/cloud/servers" && body is not null)
        {
            var request = JsonNode.Parse(body);
            var pool = (string?)request?["pool"] ?? "";
            var count = (int?)request?["count"] ?? 1;
            var counted = Counted(pool);
            History.Add(string.Create(CultureInfo.InvariantCulture, $"cloud: create {count} in {pool} (counted {counted})"));
            if (Track(pool) is { } track && counted + count > track.Policy.Max)
                Fail("count-within-bounds", $"the agent asked for {count} more servers in pool {pool}, which has {counted}: above max {track.Policy.Max}");
        }
        else if (method == HttpMethod.Delete && path.StartsWith("/_sim/cloud/server/", StringComparison.Ordinal))
        {
            var id = Uri.UnescapeDataString(path["/_sim/cloud/server/".Length..]);
            if (cloud.Server(id) is not { } server || server.State == SimulatedServerState.Deleted) return;
            var node = server.NodeId is { } nodeId ? state.Nodes.GetValueOrDefault(nodeId) : null;
            var busy = node is null ? [] : state.AllocationsOnNode(node.ID)
                .Where(a => a.JobType is not ("system" or "sysbatch") && a.ClientStatus is ClientStatus.Running or ClientStatus.Pending).ToList();
            var counted = Counted(server.Pool);
            History.Add(string.Create(CultureInfo.InvariantCulture, $"cloud: delete {server.Name} ({server.Status}, node {(node is null ? "none" : node.Status)}, {busy.Count} allocations running; counted {counted})"));
            if (busy.Count > 0)
                Fail("drain-before-delete", $"server {server.Name} deleted while its node {node!.ID} runs {busy.Count} allocations ({string.Join(", ", busy.Select(a => a.Name))}); drain {(node.DrainStrategy is null ? "not started or cancelled" : "still running")}");
            if (node is not null && server.State == SimulatedServerState.Active && Track(server.Pool) is { } track && counted - 1 < track.Policy.Min)
                Fail("count-within-bounds", $"server {server.Name} deleted from pool {server.Pool}, which has {counted}: below min {track.Policy.Min}");
        }
    }

    /// <summary>A log line, as written; no secret of the configuration may be in it.</summary>
    public void OnLog(string category, LogLevel level, string text)
    {
        foreach (var secret in secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
                Fail("no-secret-in-logs", $"a {level} line of {category} holds a configured secret: {text.Replace(secret, "<SECRET>", StringComparison.Ordinal)}");
        }
    }

    /// <summary>At the end of the run: a pool that never converged after faults stopped is a violation too.</summary>
    public void Finish()
    {
        Check();
        ThrowIfViolated();
    }

    public void ThrowIfViolated()
    {
        if (_violation is { } violation) throw violation;
    }

    private void Check()
    {
        var now = clock.GetUtcNow();
        foreach (var alloc in state.Allocations.Values)
        {
            if (alloc.ClientStatus != ClientStatus.Lost || !_seenLost.Add(alloc.ID) || _faultedNodes.Contains(alloc.NodeID)) continue;
            Fail("no-lost-allocations", $"allocation {alloc.Name} on node {alloc.NodeID} was lost ({alloc.ClientDescription}), and no fault took that node down");
        }

        if (now < faults.Until) return;
        foreach (var track in tracks.Where(t => t.IsCluster && t.Last is not null))
        {
            var problem = NotConverged(track);
            // The bound runs from the later of the faults stopping and the demand's last change: a burst after the
            // faults is work to scale for, not a failure to recover.
            var demandChanged = track.BoundChanges.Count > 0 ? track.BoundChanges[^1].At : faults.Until;
            var from = demandChanged > faults.Until ? demandChanged : faults.Until;
            var since = _convergedSince.GetValueOrDefault(track.CloudPool!);
            if (problem is null)
            {
                _problemSince.Remove(track.CloudPool!);
                if (since is null)
                {
                    _convergedSince[track.CloudPool!] = now;
                    var took = now - from;
                    if (LongestConvergence is null || took > LongestConvergence) LongestConvergence = took;
                    History.Add($"converged: pool {track.CloudPool} after {took}");
                }

                continue;
            }

            if (since is not null)
            {
                History.Add($"no longer converged: pool {track.CloudPool}: {problem}");
                _convergedSince[track.CloudPool!] = null;
            }

            // A problem must also last a minute: an allocation the workload just asked for is not running yet for the
            // seconds it takes to start, on capacity that is there.
            if (!_problemSince.TryGetValue(track.CloudPool!, out var problemSince)) _problemSince[track.CloudPool!] = problemSince = now;
            if (now - from >= convergenceBound && now - problemSince >= TimeSpan.FromMinutes(1))
                Fail("convergence", $"pool {track.CloudPool} has not converged {convergenceBound} after faults stopped and demand settled: {problem}");
        }
    }

    /// <summary>What keeps a pool from what its policy wants, or null: every wanted allocation runs (unless the pool is
    /// at max), the pool has the fewest servers that hold them (within min and max), and every server is ACTIVE with a
    /// ready, eligible node.</summary>
    private string? NotConverged(PolicyTrack track)
    {
        var sample = track.Last!;
        // At max, work beyond the pool's limit waits by the operator's choice; below it, nothing may wait.
        if (sample.Missing > 0 && sample.Bound < track.Policy.Max) return $"{sample.Missing} wanted allocations are not running";
        var servers = cloud.Servers(track.CloudPool!).Where(s => s.State != SimulatedServerState.Deleted).ToList();
        foreach (var server in servers)
        {
            if (server.State != SimulatedServerState.Active) return $"server {server.Name} is {server.Status}";
            if (server.NodeId is not { } nodeId || !state.Nodes.TryGetValue(nodeId, out var node)) return $"server {server.Name} is ACTIVE but its node never joined (leaked)";
            if (node.Status != NodeStatus.Ready) return $"node of {server.Name} is {node.Status}";
            if (node.SchedulingEligibility != "eligible" || node.DrainStrategy is not null) return $"node of {server.Name} is left {(node.DrainStrategy is null ? "ineligible" : "draining")}";
        }

        return servers.Count == sample.Bound ? null : $"{servers.Count} servers, the policy wants {sample.Bound}";
    }

    private int Counted(string pool) => cloud.Servers(pool).Count(s => s.State is SimulatedServerState.Build or SimulatedServerState.Active);

    private PolicyTrack? Track(string pool) => tracks.FirstOrDefault(t => t.CloudPool == pool);

    public void Fail(string invariant, string detail)
    {
        if (_violation is not null) return;
        History.Add($"VIOLATION {invariant}: {detail}");
        _violation = new LabInvariantException(invariant, detail, seed, faults.Spec.ToString(), History);
        // Thrown from a timer so it surfaces on the lab's thread, not inside the plugin call that observed it.
        clock.CreateTimer(_ => ThrowIfViolated(), null, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}

/// <summary>Shows the invariants every cloud call that reaches the cloud.</summary>
internal sealed class InvariantHandler(HttpMessageHandler inner, LabInvariants invariants) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (path.StartsWith("/_sim/cloud/", StringComparison.Ordinal) && request.Method != HttpMethod.Get)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            invariants.OnCloudCall(request.Method, path, body);
        }

        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>Hands every log line of the run to the secret check.</summary>
internal sealed class SecretScanningLoggerProvider : ILoggerProvider
{
    /// <summary>Set once the run's invariants exist; lines before that (configuration loading) are not scanned.</summary>
    public LabInvariants? Target { get; set; }

    public ILogger CreateLogger(string categoryName) => new Scanner(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Scanner(SecretScanningLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // Debug and trace lines are off in production; formatting them all would cost the soak half its time.
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || provider.Target is not { } invariants) return;
            var text = formatter(state, exception);
            // Structured values too: a key/value logger writes them even when the message template does not name them.
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
                text += " " + string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"));
            if (exception is not null) text += " " + exception;
            invariants.OnLog(category, logLevel, text);
        }
    }
}
