using System.Diagnostics.Metrics;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>The engine's instruments, named as upstream's go-metrics series (after the <c>nomad-autoscaler</c> prefix).</summary>
internal sealed class AutoscalerMetrics : IDisposable
{
    public const string MeterName = "nomad-autoscaler";

    private readonly Meter _meter;

    public AutoscalerMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        EvaluateMs = _meter.CreateHistogram<double>("scale.evaluate_ms", "ms", "Time to run all checks of one evaluation");
        InvokeMs = _meter.CreateHistogram<double>("scale.invoke_ms", "ms", "Time of a whole scaling action");
        InvokeSuccess = _meter.CreateCounter<long>("scale.invoke.success_count", description: "Successful target scale calls");
        InvokeError = _meter.CreateCounter<long>("scale.invoke.error_count", description: "Failed target scale calls");
        Lateness = _meter.CreateHistogram<double>("policy.evaluation.lateness_ms", "ms", "How late an evaluation started against its schedule");
        SourceError = _meter.CreateCounter<long>("policy.source.error_count", description: "Policy source errors");
        Decisions = new Telemetry.DecisionMetrics(_meter);
        TargetCounters = new Telemetry.TargetCounterRelay(_meter);

        // go-metrics' runtime gauges, with the nearest .NET quantity (threads stand in for goroutines).
        _meter.CreateObservableGauge("runtime.num_goroutines", ThreadCount);
        _meter.CreateObservableGauge("runtime.alloc_bytes", () => GC.GetTotalMemory(forceFullCollection: false));
        _meter.CreateObservableGauge("runtime.sys_bytes", () => Environment.WorkingSet);
        _meter.CreateObservableGauge("runtime.total_gc_pause_ns", () => (long)(GC.GetTotalPauseDuration().Ticks * 100));
        _meter.CreateObservableGauge("runtime.total_gc_runs", () => (long)GC.CollectionCount(0));
    }

    /// <summary>The meter itself, so an in-memory sink can follow exactly this agent's instruments.</summary>
    public Meter Meter => _meter;

    public Counter<long> SourceError { get; }

    public Histogram<double> EvaluateMs { get; }

    public Histogram<double> InvokeMs { get; }

    public Counter<long> InvokeSuccess { get; }

    public Counter<long> InvokeError { get; }

    public Histogram<double> Lateness { get; }

    /// <summary>Counts, outcomes and check errors per policy.</summary>
    public Telemetry.DecisionMetrics Decisions { get; }

    /// <summary>Counters that target plugins relay through their status meta, as <c>target.&lt;name&gt;</c>.</summary>
    public Telemetry.TargetCounterRelay TargetCounters { get; }

    public ObservableGauge<T> Gauge<T>(string name, Func<T> observe)
        where T : struct
        => _meter.CreateObservableGauge(name, observe);

    public ObservableGauge<T> Gauge<T>(string name, Func<IEnumerable<Measurement<T>>> observe)
        where T : struct
        => _meter.CreateObservableGauge(name, observe);

    private static long ThreadCount()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    public void Dispose() => _meter.Dispose();
}
