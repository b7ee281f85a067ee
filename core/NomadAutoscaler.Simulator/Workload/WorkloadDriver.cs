using System.Globalization;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk.Logging;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Workload;

/// <summary>Plays a <see cref="SimulatedWorkload"/> against the cluster as simulated time passes.</summary>
internal sealed class WorkloadDriver
{
    private readonly SimulatedWorkload _workload;
    private readonly ClusterState _state;
    private readonly DateTimeOffset _start;
    private readonly Dictionary<(string Ns, string Job, string Key), Ramp> _ramps = [];
    private readonly Dictionary<(string Ns, string Job), Dictionary<string, string>> _jobArgs = [];
    private int _next;
    private readonly ILogger? _logger;
    private long _cycle;

    public WorkloadDriver(SimulatedWorkload workload, ClusterState state, DateTimeOffset start, ILogger? logger = null)
    {
        _workload = workload;
        _state = state;
        _start = start;
        _logger = logger;
    }

    /// <summary>Steps that failed (e.g. a node name that does not exist), with their line: kept, not thrown,
    /// so one bad line does not stop the demo.</summary>
    public List<string> Errors { get; } = [];

    private sealed record Ramp(double From, double To, DateTimeOffset Start, TimeSpan Over);

    /// <summary>Applies every step now due and advances ramps. Runs under the state lock (inside a write).</summary>
    public void Advance(DateTimeOffset now)
    {
        var elapsed = now - _start;
        if (_workload.Repeat is { } period)
        {
            var cycle = elapsed.Ticks / period.Ticks;
            if (cycle != _cycle)
            {
                // Finish the previous cycle's remaining steps, then start over.
                ApplyDue(TimeSpan.MaxValue, now);
                _cycle = cycle;
                _next = 0;
            }

            elapsed -= TimeSpan.FromTicks(period.Ticks * cycle);
        }

        ApplyDue(elapsed, now);
        foreach (var ((ns, job, key), ramp) in _ramps.ToList())
        {
            var fraction = ramp.Over <= TimeSpan.Zero ? 1 : Math.Clamp((now - ramp.Start) / ramp.Over, 0, 1);
            SetUsage(ns, job, key, ramp.From + ((ramp.To - ramp.From) * fraction));
            if (fraction >= 1)
            {
                _ramps.Remove((ns, job, key));
            }
        }
    }

    private void ApplyDue(TimeSpan elapsed, DateTimeOffset now)
    {
        while (_next < _workload.Steps.Count && _workload.Steps[_next].At <= elapsed)
        {
            var step = _workload.Steps[_next++];
            try
            {
                Apply(step, now);
            }
            catch (Exception ex) when (ex is NomadError or InvalidOperationException or KeyNotFoundException)
            {
                Errors.Add($"{_workload.Source}:{step.Line}: {ex.Message}");
                _logger?.Hclog(LogLevel.Warning, "workload step failed", ("source", _workload.Source), ("line", step.Line), ("error", ex.Message));
            }
        }
    }

    private void Apply(WorkloadStep step, DateTimeOffset now)
    {
        var args = step.Args;
        int Int(string key, int fallback) => args.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var ns = args.GetValueOrDefault("ns", "default");
        switch (step.Verb)
        {
            case WorkloadVerb.NodeAdd:
                for (var i = 0; i < Int("count", 1); i++)
                {
                    _state.AddNodeCore(new SimulatorNodeSpec
                    {
                        Name = args.TryGetValue("name", out var name) ? (Int("count", 1) > 1 ? $"{name}-{i + 1}" : name) : null,
                        NodeClass = args.GetValueOrDefault("class", ""),
                        Datacenter = args.GetValueOrDefault("dc", _state.Settings.Datacenter),
                        NodePool = args.GetValueOrDefault("pool", "default"),
                        Cpu = Int("cpu", 4000),
                        MemoryMB = Int("mem", 8192),
                        StartInitializing = true,
                    });
                }

                break;
            case WorkloadVerb.NodeStatus:
                _state.SetNodeStatusCore(FindNode(step.Subject), args["status"]);
                break;
            case WorkloadVerb.NodePurge:
                _state.PurgeNode(FindNode(step.Subject).ID);
                break;
            case WorkloadVerb.JobCount:
                // A line names only what changes: the job's earlier settings carry over.
                if (!_jobArgs.TryGetValue((ns, step.Subject), out var merged))
                {
                    merged = _jobArgs[(ns, step.Subject)] = new Dictionary<string, string>(StringComparer.Ordinal);
                }

                foreach (var (key, value) in step.Args)
                {
                    merged[key] = value;
                }

                args = merged;
                var spec = JobSpecs.Simple(
                    step.Subject, ns, args.GetValueOrDefault("type", "service"), args.GetValueOrDefault("group"), Int("count", 1),
                    Int("cpu", 500), Int("mem", 256), args.GetValueOrDefault("class"), args.GetValueOrDefault("dc", "*"),
                    args.GetValueOrDefault("pool", "default"),
                    args.ContainsKey("min") ? Int("min", 1) : null, args.ContainsKey("max") ? Int("max", 10) : null,
                    args.TryGetValue("target", out var target) ? double.Parse(target, CultureInfo.InvariantCulture) : 70);
                _state.RegisterJob(JobParser.Parse(spec, ns, _state.Settings.Region));
                break;
            case WorkloadVerb.JobStop:
                _state.DeregisterJob(ns, step.Subject, purge: false);
                break;
            case WorkloadVerb.JobUsage:
                foreach (var (key, value) in args.Where(a => a.Key is "usage_cpu" or "usage_mem" or "load_cpu" or "load_mem"))
                {
                    var to = double.Parse(value, CultureInfo.InvariantCulture);
                    if (step.Over > TimeSpan.Zero)
                    {
                        _ramps[(ns, step.Subject, key)] = new Ramp(CurrentUsage(ns, step.Subject, key), to, now, step.Over);
                    }
                    else
                    {
                        _ramps.Remove((ns, step.Subject, key));
                        SetUsage(ns, step.Subject, key, to);
                    }
                }

                break;
        }
    }

    private SimNode FindNode(string nameOrId) =>
        _state.Nodes.Values.FirstOrDefault(n => n.Name == nameOrId || n.ID == nameOrId)
        ?? throw new KeyNotFoundException($"node \"{nameOrId}\" not found");

    private double CurrentUsage(string ns, string job, string key)
    {
        var usage = _state.UsageFor(ns, job);
        return key switch
        {
            "usage_cpu" => usage.CpuPercent ?? 0,
            "usage_mem" => usage.MemoryPercent ?? 0,
            "load_cpu" => usage.CpuLoadMhz ?? 0,
            _ => usage.MemoryLoadMB ?? 0,
        };
    }

    private void SetUsage(string ns, string job, string key, double value)
    {
        var usage = _state.UsageFor(ns, job);
        switch (key)
        {
            case "usage_cpu":
                usage.CpuPercent = value;
                usage.CpuLoadMhz = null;
                break;
            case "usage_mem":
                usage.MemoryPercent = value;
                usage.MemoryLoadMB = null;
                break;
            case "load_cpu":
                usage.CpuLoadMhz = value;
                usage.CpuPercent = null;
                break;
            default:
                usage.MemoryLoadMB = value;
                usage.MemoryPercent = null;
                break;
        }
    }
}
