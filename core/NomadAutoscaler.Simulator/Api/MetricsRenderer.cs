using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>
/// <c>/v1/metrics</c> in go-metrics' in-memory-sink JSON and in Prometheus text, with the series names and labels
/// Nomad clients and the leader emit (the ones autoscaler users query).
/// </summary>
internal static class MetricsRenderer
{
    private sealed record Gauge(string Name, double Value, SortedDictionary<string, string> Labels);

    public static JsonObject Json(ClusterState state, NomadHttpApi api, SimulatorOptions options)
    {
        var gauges = Gauges(state, api, options);
        var now = state.Now;
        // go-metrics reports the interval (10 s) the sample falls in, stamped with its start.
        var intervalStart = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % (10 * TimeSpan.TicksPerSecond)), TimeSpan.Zero);
        var labels = HostLabels(options);
        return new JsonObject
        {
            ["Timestamp"] = intervalStart.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC",
            ["Gauges"] = new JsonArray([.. gauges.Select(g => (JsonNode)new JsonObject
            {
                ["Name"] = g.Name,
                ["Value"] = JobParser.GoFloat(g.Value),
                ["Labels"] = new JsonObject(g.Labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
            })]),
            ["Points"] = new JsonArray(),
            ["Counters"] = new JsonArray(Aggregate("nomad.nomad.rpc.query", state.LatestIndex, labels)),
            ["Samples"] = new JsonArray(Aggregate("nomad.nomad.client.update_status", 1, labels)),
        };
    }

    public static string Prometheus(ClusterState state, NomadHttpApi api, SimulatorOptions options)
    {
        var sb = new StringBuilder();
        foreach (var group in Gauges(state, api, options).GroupBy(g => PromName(g.Name)))
        {
            sb.Append("# HELP ").Append(group.Key).Append(' ').Append(group.Key).Append('\n');
            sb.Append("# TYPE ").Append(group.Key).Append(" gauge\n");
            foreach (var gauge in group)
            {
                sb.Append(group.Key);
                if (gauge.Labels.Count > 0)
                {
                    sb.Append('{').AppendJoin(',', gauge.Labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")).Append('}');
                }

                sb.Append(' ').Append(gauge.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        var counter = PromName("nomad.nomad.rpc.query");
        sb.Append("# HELP ").Append(counter).Append(' ').Append(counter).Append('\n');
        sb.Append("# TYPE ").Append(counter).Append(" counter\n");
        sb.Append(counter).Append(HostSuffix(options)).Append(' ').Append(state.LatestIndex.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    private static string HostSuffix(SimulatorOptions options) => options.DisableHostname ? "" : $"{{host=\"{Escape(options.NodeName)}\"}}";

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string PromName(string name) => name.Replace('.', '_').Replace('-', '_');

    private static SortedDictionary<string, string> HostLabels(SimulatorOptions options)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!options.DisableHostname)
        {
            labels["host"] = options.NodeName;
        }

        return labels;
    }

    private static JsonObject Aggregate(string name, double value, SortedDictionary<string, string> labels) => new()
    {
        ["Name"] = name,
        ["Count"] = 1,
        ["Rate"] = JobParser.GoFloat(value / 10),
        ["Sum"] = JobParser.GoFloat(value),
        ["Min"] = JobParser.GoFloat(value),
        ["Max"] = JobParser.GoFloat(value),
        ["Mean"] = JobParser.GoFloat(value),
        ["Stddev"] = JobParser.GoFloat(0),
        ["Labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
    };

    private static List<Gauge> Gauges(ClusterState state, NomadHttpApi api, SimulatorOptions options)
    {
        var gauges = new List<Gauge>();
        SortedDictionary<string, string> With(params (string Key, string Value)[] pairs)
        {
            var labels = HostLabels(options);
            foreach (var (key, value) in pairs)
            {
                labels[key] = value;
            }

            return labels;
        }

        foreach (var node in state.Nodes.Values.OrderBy(n => n.ID, StringComparer.Ordinal))
        {
            // Only live clients report; a down node's series simply stop.
            if (node.Status is NodeStatus.Down or NodeStatus.Disconnected)
            {
                continue;
            }

            var live = state.AllocationsOnNode(node.ID).Where(a => !a.Terminal).ToList();
            var cpu = live.Sum(a => a.Cpu);
            var memory = live.Sum(a => a.MemoryMB);
            var disk = live.Sum(a => a.DiskMB);
            var labels = With(
                ("node_id", node.ID), ("datacenter", node.Datacenter), ("node_class", node.NodeClass.Length == 0 ? "none" : node.NodeClass),
                ("node_pool", node.NodePool), ("node_status", node.Status), ("node_scheduling_eligibility", node.SchedulingEligibility));
            gauges.Add(new Gauge("nomad.client.allocated.cpu", cpu, labels));
            gauges.Add(new Gauge("nomad.client.allocated.memory", memory, labels));
            gauges.Add(new Gauge("nomad.client.allocated.max_memory", memory, labels));
            gauges.Add(new Gauge("nomad.client.allocated.disk", disk, labels));
            gauges.Add(new Gauge("nomad.client.unallocated.cpu", node.CpuShares - node.ReservedCpu - cpu, labels));
            gauges.Add(new Gauge("nomad.client.unallocated.memory", node.MemoryMB - node.ReservedMemoryMB - memory, labels));
            gauges.Add(new Gauge("nomad.client.unallocated.disk", node.DiskMB - disk, labels));
            var nodeLabels = With(("node_id", node.ID), ("datacenter", node.Datacenter), ("node_class", node.NodeClass.Length == 0 ? "none" : node.NodeClass), ("node_pool", node.NodePool));
            var onNode = state.AllocationsOnNode(node.ID).ToList();
            gauges.Add(new Gauge("nomad.client.allocations.running", onNode.Count(a => a.ClientStatus == ClientStatus.Running), nodeLabels));
            gauges.Add(new Gauge("nomad.client.allocations.pending", onNode.Count(a => a.ClientStatus == ClientStatus.Pending), nodeLabels));
            gauges.Add(new Gauge("nomad.client.allocations.blocked", 0, nodeLabels));
            gauges.Add(new Gauge("nomad.client.allocations.migrating", onNode.Count(a => a.MigrateTransition == true && !a.ClientTerminal), nodeLabels));
            gauges.Add(new Gauge("nomad.client.allocations.terminal", onNode.Count(a => a.ClientTerminal), nodeLabels));
        }

        foreach (var alloc in state.Allocations.Values.Where(a => a.ClientStatus == ClientStatus.Running).OrderBy(a => a.ID, StringComparer.Ordinal))
        {
            var (cpuPercent, ticks, memory) = state.AllocUsage(alloc);
            var totalCpu = Math.Max(1, alloc.Cpu);
            foreach (var (task, taskCpu, taskMemory) in alloc.TaskResources)
            {
                var share = taskCpu / (double)totalCpu;
                var memShare = alloc.MemoryMB == 0 ? 0 : taskMemory / (double)alloc.MemoryMB;
                var labels = With(("job", alloc.Job.Name), ("task_group", alloc.TaskGroup), ("alloc_id", alloc.ID), ("task", task), ("namespace", alloc.Namespace));
                gauges.Add(new Gauge("nomad.client.allocs.cpu.total_percent", cpuPercent, labels));
                gauges.Add(new Gauge("nomad.client.allocs.cpu.total_ticks", ticks * share, labels));
                gauges.Add(new Gauge("nomad.client.allocs.memory.usage", Math.Floor(memory * memShare), labels));
                gauges.Add(new Gauge("nomad.client.allocs.memory.rss", Math.Floor(memory * memShare), labels));
                gauges.Add(new Gauge("nomad.client.allocs.memory.allocated", (double)taskMemory * 1024 * 1024, labels));
            }
        }

        var blocked = state.Evaluations.Values.Where(e => e.Status == "blocked").ToList();
        gauges.Add(new Gauge("nomad.nomad.blocked_evals.total_blocked", blocked.Count, With()));
        gauges.Add(new Gauge("nomad.nomad.blocked_evals.total_escaped", 0, With()));
        gauges.Add(new Gauge("nomad.nomad.blocked_evals.total_quota_limit", 0, With()));
        var perClass = new SortedDictionary<(string Dc, string Class, string Pool), (double Cpu, double Mem)>();
        foreach (var (key, queued) in state.Queued.OrderBy(q => q.Key.Id, StringComparer.Ordinal))
        {
            if (!state.Jobs.TryGetValue(key, out var job))
            {
                continue;
            }

            double jobCpu = 0, jobMem = 0;
            foreach (var (groupName, count) in queued)
            {
                var group = job.Group(groupName);
                if (group is null)
                {
                    continue;
                }

                jobCpu += group.CpuTotal * count;
                jobMem += group.MemoryTotal * count;
                var nodeClass = job.Constraints.Concat(group.Constraints)
                    .FirstOrDefault(c => c.LTarget == "${node.class}" && c.Operand is "=" or "==" or "is")?.RTarget ?? "";
                foreach (var dc in job.Datacenters)
                {
                    var slot = (dc, nodeClass, job.NodePool);
                    var current = perClass.GetValueOrDefault(slot);
                    perClass[slot] = (current.Cpu + (group.CpuTotal * count), current.Mem + (group.MemoryTotal * count));
                }
            }

            var jobLabels = With(("namespace", job.Namespace), ("job", job.ID));
            gauges.Add(new Gauge("nomad.nomad.blocked_evals.job.cpu", jobCpu, jobLabels));
            gauges.Add(new Gauge("nomad.nomad.blocked_evals.job.memory", jobMem, jobLabels));
        }

        foreach (var ((dc, nodeClass, pool), (cpu, mem)) in perClass)
        {
            var labels = With(("datacenter", dc), ("node_class", nodeClass), ("node_pool", pool));
            gauges.Add(new Gauge("nomad.nomad.blocked_evals.cpu", cpu, labels));
            gauges.Add(new Gauge("nomad.nomad.blocked_evals.memory", mem, labels));
        }

        foreach (var job in state.Jobs.Values.OrderBy(j => j.ID, StringComparer.Ordinal))
        {
            foreach (var (group, s) in api.Summary(job))
            {
                var labels = With(("job", job.ID), ("task_group", group), ("namespace", job.Namespace));
                gauges.Add(new Gauge("nomad.nomad.job_summary.queued", s.Queued, labels));
                gauges.Add(new Gauge("nomad.nomad.job_summary.starting", s.Starting, labels));
                gauges.Add(new Gauge("nomad.nomad.job_summary.running", s.Running, labels));
                gauges.Add(new Gauge("nomad.nomad.job_summary.complete", s.Complete, labels));
                gauges.Add(new Gauge("nomad.nomad.job_summary.failed", s.Failed, labels));
                gauges.Add(new Gauge("nomad.nomad.job_summary.lost", s.Lost, labels));
                gauges.Add(new Gauge("nomad.nomad.job_summary.unknown", 0, labels));
            }
        }

        return gauges;
    }
}
