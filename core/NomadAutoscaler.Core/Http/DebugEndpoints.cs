using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Core.Http;

/// <summary>What <c>enable_debug</c> serves under <c>/debug/</c>: the .NET counterparts of Go's pprof that a process
/// can read about itself without a debugger attached (docs/operations.md, "Debug endpoints").</summary>
internal static class DebugEndpoints
{
    /// <summary>The paths served, with what each answers; <c>/debug/</c> lists them as pprof's index does.</summary>
    public static IReadOnlyList<(string Path, string Description)> Index { get; } =
    [
        ("/debug/runtime", "GC, heap, allocation, thread-pool, lock-contention and timer counters of the .NET runtime, and the process's CPU time and memory"),
        ("/debug/threads", "every OS thread of the agent process: id, name, state and CPU time"),
    ];

    public static JsonObject IndexJson() => new()
    {
        ["endpoints"] = new JsonArray([.. Index.Select(e => (JsonNode)new JsonObject { ["path"] = e.Path, ["description"] = e.Description })]),
    };

    public static JsonObject Runtime(TimeProvider time)
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        ThreadPool.GetMinThreads(out var minWorkers, out var minIo);
        ThreadPool.GetMaxThreads(out var maxWorkers, out var maxIo);
        ThreadPool.GetAvailableThreads(out var availableWorkers, out var availableIo);
        var generations = new JsonArray();
        for (var g = 0; g <= GC.MaxGeneration; g++)
        {
            var info = g < gc.GenerationInfo.Length ? gc.GenerationInfo[g] : default;
            generations.Add(new JsonObject
            {
                ["generation"] = g,
                ["collections"] = GC.CollectionCount(g),
                ["size_after_bytes"] = info.SizeAfterBytes,
                ["fragmentation_after_bytes"] = info.FragmentationAfterBytes,
            });
        }

        var now = time.GetUtcNow();
        return new JsonObject
        {
            ["time"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["runtime"] = new JsonObject
            {
                ["framework"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["processor_count"] = Environment.ProcessorCount,
                ["server_gc"] = GCSettings.IsServerGC,
                ["gc_latency_mode"] = GCSettings.LatencyMode.ToString(),
            },
            ["process"] = new JsonObject
            {
                ["pid"] = Environment.ProcessId,
                ["start_time"] = process.StartTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
                ["uptime_seconds"] = Math.Round((now - process.StartTime.ToUniversalTime()).TotalSeconds, 3),
                ["user_cpu_seconds"] = Math.Round(process.UserProcessorTime.TotalSeconds, 3),
                ["system_cpu_seconds"] = Math.Round(process.PrivilegedProcessorTime.TotalSeconds, 3),
                ["working_set_bytes"] = process.WorkingSet64,
                ["private_memory_bytes"] = process.PrivateMemorySize64,
                ["threads"] = process.Threads.Count,
            },
            ["gc"] = new JsonObject
            {
                ["heap_size_bytes"] = GC.GetTotalMemory(forceFullCollection: false),
                ["total_allocated_bytes"] = GC.GetTotalAllocatedBytes(precise: false),
                ["committed_bytes"] = gc.TotalCommittedBytes,
                ["memory_load_bytes"] = gc.MemoryLoadBytes,
                ["total_available_memory_bytes"] = gc.TotalAvailableMemoryBytes,
                ["pause_time_total_seconds"] = Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 6),
                ["pause_time_percentage"] = gc.PauseTimePercentage,
                ["generations"] = generations,
            },
            ["thread_pool"] = new JsonObject
            {
                ["threads"] = ThreadPool.ThreadCount,
                ["pending_work_items"] = ThreadPool.PendingWorkItemCount,
                ["completed_work_items"] = ThreadPool.CompletedWorkItemCount,
                ["min_worker_threads"] = minWorkers,
                ["max_worker_threads"] = maxWorkers,
                ["busy_worker_threads"] = maxWorkers - availableWorkers,
                ["min_io_threads"] = minIo,
                ["max_io_threads"] = maxIo,
                ["busy_io_threads"] = maxIo - availableIo,
            },
            ["lock_contention_count"] = Monitor.LockContentionCount,
            ["active_timers"] = Timer.ActiveCount,
        };
    }

    /// <summary>The process's threads as the OS sees them. Names come from <c>/proc/self/task/&lt;id&gt;/comm</c>
    /// (the runtime names its own threads there, e.g. <c>.NET TP Worker</c>); elsewhere they are null.</summary>
    public static JsonObject Threads()
    {
        using var process = Process.GetCurrentProcess();
        var threads = new JsonArray();
        foreach (var thread in process.Threads.Cast<ProcessThread>().OrderBy(t => t.Id))
        {
            using (thread)
            {
                string state;
                double? cpu;
                try
                {
                    state = thread.ThreadState.ToString();
                    cpu = Math.Round(thread.TotalProcessorTime.TotalSeconds, 3);
                }
                catch (InvalidOperationException)
                {
                    // The thread exited between the listing and the read.
                    continue;
                }

                threads.Add(new JsonObject
                {
                    ["id"] = thread.Id,
                    ["name"] = ThreadName(thread.Id),
                    ["state"] = state,
                    ["cpu_seconds"] = cpu,
                });
            }
        }

        return new JsonObject { ["count"] = threads.Count, ["threads"] = threads };
    }

    private static string? ThreadName(int id)
    {
        try
        {
            return File.ReadAllText($"/proc/self/task/{id.ToString(CultureInfo.InvariantCulture)}/comm").TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
