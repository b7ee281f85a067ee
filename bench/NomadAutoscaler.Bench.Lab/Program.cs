using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using NomadAutoscaler.Lab;

// Scaling-quality benchmark: each shipped workload against each policy, in virtual time, with the goals of the
// recommended policy checked; then the lab's own speed. Prints markdown tables (docs/scaling-quality.md).
const string Reactive = "recommended, reactive";
var root = FindRoot();
var bench = Path.Combine(root, "bench", "NomadAutoscaler.Bench.Lab");
var agent = Path.Combine(bench, "agent.hcl");
var policies = new (string Name, string File)[]
{
    ("upstream default", Path.Combine(bench, "policies", "upstream.hcl")),
    ("threshold tiers", Path.Combine(bench, "policies", "threshold.hcl")),
    ("demand queries", Path.Combine(bench, "policies", "demand.hcl")),
    ("recommended", Path.Combine(root, "examples", "recommended", "policies", "nom-pool.hcl")),
    // The recommended policy without its memory: what a purely reactive, demand-sized policy achieves.
    (Reactive, Path.Combine(root, "examples", "recommended", "policies", "nom-pool.hcl")),
};
var workloads = new (string File, long Min, long Max, TimeSpan Duration)[]
{
    ("mission.workload", 2, 7, TimeSpan.FromHours(2)),
    ("bursty-batch.workload", 1, 10, TimeSpan.FromHours(24)),
    ("diurnal.workload", 1, 10, TimeSpan.FromHours(24)),
    ("spike-idle.workload", 0, 10, TimeSpan.FromHours(6)),
};
var bootDelay = TimeSpan.FromSeconds(90);
var environment = new Dictionary<string, string?>();
var scratch = Directory.CreateTempSubdirectory("scaling-bench-").FullName;
// `dotnet run -c Release -- speed` runs only the lab's speed, `-- quality` only the policy table.
var only = args.Length > 0 ? args[0] : "";
try
{
    if (only == "speed")
    {
        Speed(root, scratch, environment, args.Length > 1 ? TimeSpan.FromHours(double.Parse(args[1], CultureInfo.InvariantCulture)) : TimeSpan.FromHours(24));
        return;
    }

    Console.WriteLine($"Scaling quality, boot delay {bootDelay.TotalSeconds:0} s, seed 1 ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)");
    Console.WriteLine();
    Console.WriteLine("| workload | policy | node-hours (bound) | ratio | idle node-hours | wait p50 / p95 / max (s) | unplaced alloc-s | actions | servers added | max overshoot | goal |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
    var missed = new List<string>();
    foreach (var workload in workloads)
    {
        foreach (var (name, file) in policies)
        {
            var dir = Path.Combine(scratch, $"{Path.GetFileNameWithoutExtension(workload.File)}-{name.Replace(' ', '-')}");
            Directory.CreateDirectory(dir);
            var text = Bounds(File.ReadAllText(file), workload.Min, workload.Max);
            if (name == Reactive) text = WithoutPeriodic(text);
            File.WriteAllText(Path.Combine(dir, "policy.hcl"), text);
            var report = LabRun.Run(new LabOptions
            {
                ConfigPaths = [agent],
                PolicyDir = dir,
                WorkloadPath = Path.Combine(root, "examples", "workloads", workload.File),
                Duration = workload.Duration,
                BootDelay = bootDelay,
            }, environment, scratch);
            var p = report.Policies[0];
            var added = p.Decisions.Where(d => d.To > d.From).Sum(d => d.To - d.From);
            var goal = "";
            if (name == "recommended")
            {
                var interval = Interval(text);
                var problems = new List<string>();
                if (p.Ratio > 1.15) problems.Add($"node-hours {p.Ratio:0.00}x > 1.15x");
                if (p.PendingWaitP95 > (bootDelay + interval).TotalSeconds) problems.Add($"p95 {p.PendingWaitP95:0} s > {(bootDelay + interval).TotalSeconds:0} s");
                if (workload.File.StartsWith("mission", StringComparison.Ordinal) && added != 1) problems.Add($"{added} servers added, not 1");
                goal = problems.Count == 0 ? "met" : "missed: " + string.Join("; ", problems);
                if (problems.Count > 0) missed.Add($"{workload.File}: {goal}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {workload.File} ({Hours(workload.Duration)}) | {name} | {p.NodeHours:0.00} ({p.BoundNodeHours:0.00}) | {p.Ratio:0.00}x | {p.IdleNodeHours:0.00} | {p.PendingWaitP50:0} / {p.PendingWaitP95:0} / {p.PendingWaitMax:0} | {p.UnplacedAllocSeconds:0} | {p.ScaleActions} | {added} | {p.MaxOvershoot} | {goal} |"));
        }
    }

    Console.WriteLine();
    Console.WriteLine("Goal of the recommended policy: node-hours at most 1.15x the bound, p95 wait at most boot delay + one evaluation interval, one server added on the mission.");
    Console.WriteLine(missed.Count == 0 ? "Goal met on every workload." : "Goal missed: " + string.Join(" | ", missed));
    Console.WriteLine();
    if (only != "quality") Speed(root, scratch, environment, TimeSpan.FromHours(24));
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

static void Speed(string root, string scratch, Dictionary<string, string?> environment, TimeSpan duration)
{
    // The lab's own speed: 24 h of workload, a 1-minute interval, 50 policies, each with its own pool and a queue
    // that bursts every hour.
    const int Pools = 50;
    var dir = Path.Combine(scratch, "speed");
    Directory.CreateDirectory(dir);
    var template = File.ReadAllText(Path.Combine(root, "examples", "recommended", "policies", "nom-pool.hcl"));
    var workload = new StringBuilder("repeat 60m\n");
    for (var i = 1; i <= Pools; i++)
    {
        var policy = Bounds(template, 1, 5).Replace("nom-pool", $"pool-{i}", StringComparison.Ordinal);
        policy = Regex.Replace(policy, "evaluation_interval\\s*=\\s*\"[^\"]*\"", "evaluation_interval = \"1m\"");
        File.WriteAllText(Path.Combine(dir, $"pool-{i}.hcl"), policy);
        workload.Append(CultureInfo.InvariantCulture, $"at 0s job q{i} type batch class pool-{i} count 2 cpu 1000 mem 1024\n");
        workload.Append(CultureInfo.InvariantCulture, $"at {5 + (i % 10)}m job q{i} count 9\n");
        workload.Append(CultureInfo.InvariantCulture, $"at {30 + (i % 10)}m job q{i} count 2\n");
    }

    var workloadFile = Path.Combine(scratch, "speed.workload");
    File.WriteAllText(workloadFile, workload.ToString());
    var options = new LabOptions
    {
        ConfigPaths = [Path.Combine(root, "bench", "NomadAutoscaler.Bench.Lab", "agent.hcl")],
        PolicyDir = dir,
        WorkloadPath = workloadFile,
        Duration = duration,
    };
    // One short warm-up run so JIT compilation is not counted.
    LabRun.Run(options with { Duration = TimeSpan.FromMinutes(10) }, environment, scratch);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    var report = LabRun.Run(options, environment, scratch);
    watch.Stop();
    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
    var evaluations = report.Policies.Count * (long)duration.TotalMinutes;
    Console.WriteLine("| lab speed | policies | virtual time | evaluations | wall time | CPU time | virtual / wall | goal |");
    Console.WriteLine("|---|---|---|---|---|---|---|---|");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| 1-minute interval, one pool each | {report.Policies.Count} | {Hours(duration)} | ~{evaluations:N0} | {watch.Elapsed.TotalSeconds:0.0} s | {cpu.TotalSeconds:0.0} s | {duration / watch.Elapsed:0}x | {(watch.Elapsed <= TimeSpan.FromSeconds(10) * (duration / TimeSpan.FromHours(24)) ? "met" : "missed")} (24 h in at most 10 s) |"));
}

static string WithoutPeriodic(string policy)
{
    var reactive = Regex.Replace(policy, @"strategy ""periodic"" \{[^}]*\}", @"strategy ""pass-through"" {}");
    return reactive != policy ? reactive : throw new InvalidOperationException("the recommended policy no longer uses the periodic strategy");
}

static string Bounds(string policy, long min, long max)
{
    policy = Regex.Replace(policy, @"(?m)^(\s*)min(\s*)=\s*\d+", m => $"{m.Groups[1].Value}min{m.Groups[2].Value}= {min}");
    return Regex.Replace(policy, @"(?m)^(\s*)max(\s*)=\s*\d+", m => $"{m.Groups[1].Value}max{m.Groups[2].Value}= {max}");
}

static TimeSpan Interval(string policy)
{
    var match = Regex.Match(policy, "evaluation_interval\\s*=\\s*\"(\\d+)s\"");
    return match.Success ? TimeSpan.FromSeconds(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)) : TimeSpan.FromSeconds(10);
}

static string Hours(TimeSpan span) => $"{span.TotalHours:0}h";

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Plugins.sln"))) return dir.FullName;
    }

    throw new InvalidOperationException("run the bench from inside the repository");
}
