using System.Globalization;
using System.Net;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Nomad.Internal;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Lab.Faults;

/// <summary>The seeded fault schedule of one lab run. Each class draws from its own generator, seeded from the run's
/// seed and the class, so turning one class on or off does not move another class's faults; every draw happens on
/// the lab's one thread in the order the run makes its calls, so a seed replays the same faults at the same instants.
/// Nothing is drawn at or after <see cref="Until"/>: the run then shows whether the system recovers.</summary>
internal sealed class LabFaults
{
    private readonly Dictionary<LabFaultClass, Random> _random;
    private readonly TimeProvider _clock;

    public LabFaults(LabFaultSpec spec, int seed, TimeProvider clock, DateTimeOffset until, LabHistory history)
    {
        Spec = spec;
        _clock = clock;
        Until = until;
        History = history;
        // A fixed mix (not HashCode.Combine, which is salted per process) so a seed means the same run everywhere.
        _random = Enum.GetValues<LabFaultClass>().ToDictionary(c => c, c => new Random(unchecked((seed * 7919) + ((int)c * 104729) + 17)));
    }

    public LabFaultSpec Spec { get; }

    public TimeProvider Clock => _clock;

    public DateTimeOffset Until { get; }

    public LabHistory History { get; }

    public bool Active => _clock.GetUtcNow() < Until;

    /// <summary>True when a fault of the class happens now; draws only while faults are active and the class is on.</summary>
    public bool Draw(LabFaultClass faultClass)
    {
        var rate = Spec.Rate(faultClass);
        if (rate <= 0 || !Active) return false;
        return _random[faultClass].NextDouble() < rate;
    }

    /// <summary>A uniform draw in [min, max) from the class's generator.</summary>
    public TimeSpan Between(LabFaultClass faultClass, TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromSeconds(Math.Floor(_random[faultClass].NextDouble() * (max - min).TotalSeconds));

    /// <summary>The wait until the next event of a class whose rate is per hour (exponential, so events come as a
    /// Poisson process), or null when the class is off.</summary>
    public TimeSpan? NextEvent(LabFaultClass faultClass)
    {
        var rate = Spec.Rate(faultClass);
        if (rate <= 0) return null;
        var u = _random[faultClass].NextDouble();
        return TimeSpan.FromSeconds(Math.Ceiling(-Math.Log(1 - u) / rate * 3600));
    }

    public int Pick(LabFaultClass faultClass, int count) => _random[faultClass].Next(count);

    /// <summary>Wraps one agent's plugin clients so that their calls fail or hang by the schedule.</summary>
    public IApmClient Wrap(IApmClient inner) => new FaultyApm(this, inner);

    public IStrategyClient Wrap(IStrategyClient inner) => new FaultyStrategy(this, inner);

    public ITargetClient Wrap(ITargetClient inner) => new FaultyTarget(this, inner, _clock);

    private Task? Inject(string plugin, string call)
    {
        if (Draw(LabFaultClass.PluginError))
        {
            History.Add($"fault plugin-error: {plugin} {call}");
            return Task.FromException(new PluginException($"plugin {plugin}: {call}: injected fault: the plugin process exited"));
        }

        if (Draw(LabFaultClass.PluginHang))
        {
            History.Add($"fault plugin-hang: {plugin} {call}");
            return Hang;
        }

        return null;
    }

    /// <summary>What a hung call returns: a task that never completes (the caller's own deadline or cancellation is
    /// all that can end the wait).</summary>
    private static readonly Task Hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously).Task;

    private sealed class FaultyApm(LabFaults faults, IApmClient inner) : IApmClient
    {
        public string PluginName => inner.PluginName;

        public async Task<IReadOnlyList<MetricPoint>> QueryAsync(ApmQuery query, CancellationToken cancellationToken)
        {
            if (faults.Inject(PluginName, "query") is { } fault) await InlineDelay.WaitAsync(fault, cancellationToken);
            return await inner.QueryAsync(query, cancellationToken);
        }

        public async Task<IReadOnlyList<IReadOnlyList<MetricPoint>>> QueryMultipleAsync(ApmQuery query, CancellationToken cancellationToken)
        {
            if (faults.Inject(PluginName, "query") is { } fault) await InlineDelay.WaitAsync(fault, cancellationToken);
            return await inner.QueryMultipleAsync(query, cancellationToken);
        }
    }

    private sealed class FaultyStrategy(LabFaults faults, IStrategyClient inner) : IStrategyClient
    {
        public string PluginName => inner.PluginName;

        public async Task<ScalingAction> RunAsync(StrategyRequest request, CancellationToken cancellationToken)
        {
            if (faults.Inject(PluginName, "run") is { } fault) await InlineDelay.WaitAsync(fault, cancellationToken);
            return await inner.RunAsync(request, cancellationToken);
        }
    }

    /// <summary>A hung status call ends at the deadline the engine sends with it, as the gRPC client's deadline
    /// ends it out of process; scale calls only fail (a drain may rightly take an hour, so no deadline applies).</summary>
    private sealed class FaultyTarget(LabFaults faults, ITargetClient inner, TimeProvider clock) : ITargetClient
    {
        public string PluginName => inner.PluginName;

        public async Task<TargetStatus?> StatusAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
        {
            if (faults.Inject(PluginName, "status") is { } fault)
            {
                if (fault.IsFaulted || !config.TryGetValue(ITargetClient.GrpcTimeoutKey, out var text) || !GoDuration.TryParse(text, out var timeout))
                {
                    await InlineDelay.WaitAsync(fault, cancellationToken);
                }
                else
                {
                    await InlineDelay.DelayAsync(timeout, clock, cancellationToken);
                    throw new PluginException($"plugin {PluginName}: status: deadline exceeded after {text}");
                }
            }

            return await inner.StatusAsync(config, cancellationToken);
        }

        public async Task<ScaleOutcome> ScaleAsync(ScalingAction action, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken)
        {
            if (faults.Draw(LabFaultClass.PluginError))
            {
                faults.History.Add($"fault plugin-error: {PluginName} scale");
                throw new PluginException($"plugin {PluginName}: scale: injected fault: the plugin process exited");
            }

            return await inner.ScaleAsync(action, config, cancellationToken);
        }
    }
}

/// <summary>Nomad API and cloud faults, between an agent's clients and the simulator: answers 500/503 or never,
/// as an overloaded or partitioned server does. Only the agent's own calls pass here.</summary>
internal sealed class FaultyNomadHandler(HttpMessageHandler inner, LabFaults faults) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri?.AbsolutePath ?? "";
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            var query = request.RequestUri?.Query ?? "";
            if (path.StartsWith("/v1/var/", StringComparison.Ordinal) && query.Contains("lock-", StringComparison.Ordinal) && faults.Draw(LabFaultClass.LockError))
            {
                faults.History.Add($"fault lock-error: {request.Method} {path}{query} answered 500");
                return new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request, Content = new StringContent("rpc error: injected fault: lock service unavailable") };
            }

            if (faults.Draw(LabFaultClass.NomadError))
            {
                var status = faults.Pick(LabFaultClass.NomadError, 2) == 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.ServiceUnavailable;
                faults.History.Add(string.Create(CultureInfo.InvariantCulture, $"fault nomad-error: {request.Method} {path} answered {(int)status}"));
                return new HttpResponseMessage(status) { RequestMessage = request, Content = new StringContent("rpc error: injected fault") };
            }

            if (faults.Draw(LabFaultClass.NomadTimeout))
            {
                faults.History.Add($"fault nomad-timeout: {request.Method} {path} never answers");
                await InlineDelay.DelayAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
            }

            if (IsBlocking(query) && faults.Draw(LabFaultClass.SlowQuery))
            {
                var late = faults.Between(LabFaultClass.SlowQuery, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
                faults.History.Add($"fault slow-query: {request.Method} {path} answers {late} late");
                await InlineDelay.DelayAsync(late, faults.Clock, cancellationToken);
            }
        }
        else if (path == "/_sim/cloud/servers" && request.Method == HttpMethod.Post && faults.Draw(LabFaultClass.CloudCreate))
        {
            faults.History.Add("fault cloud-create: create request answered 500");
            return new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = request, Content = new StringContent("{\"error\":\"injected fault: no valid host was found\"}") };
        }

        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>A blocking query names the index it waits past; a first read (index 0 or none) answers at once.</summary>
    private static bool IsBlocking(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            if (pair.StartsWith("index=", StringComparison.Ordinal) && ulong.TryParse(pair.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                return index > 0;
        }

        return false;
    }
}

/// <summary>One agent process's connection to the world. When the agent dies, every call of it, made or yet to be
/// made, never answers: a dead process acts no more, whatever its timers still hold. While partitioned, its Nomad
/// requests never answer (until the caller gives up) but the cloud still does. Every request that would change the
/// cluster or the cloud is shown to <paramref name="acting"/> first.</summary>
internal sealed class AgentLifeline(HttpMessageHandler inner, int generation, Action<int, string>? acting) : DelegatingHandler(inner)
{
    private static readonly Task<HttpResponseMessage> Never = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously).Task;

    public bool Dead { get; set; }

    public bool Partitioned { get; set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Dead) return Never;
        var path = request.RequestUri?.AbsolutePath ?? "";
        var nomad = path.StartsWith("/v1/", StringComparison.Ordinal);
        if (Partitioned && nomad) return Cut(cancellationToken);
        // The lock and the cooldowns it carries are how agents agree; writing them is not acting on the cluster.
        if (acting is not null && request.Method != HttpMethod.Get && !path.StartsWith("/v1/var/", StringComparison.Ordinal))
            acting(generation, $"{request.Method} {path}");
        return base.SendAsync(request, cancellationToken);
    }

    private static async Task<HttpResponseMessage> Cut(CancellationToken cancellationToken)
    {
        await InlineDelay.DelayAsync(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        throw new OperationCanceledException(cancellationToken);
    }
}
