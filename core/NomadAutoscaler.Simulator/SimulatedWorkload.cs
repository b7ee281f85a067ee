using System.Globalization;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator.Workload;

namespace NomadAutoscaler.Simulator;

/// <summary>
/// A timed load schedule for the simulated cluster, so <c>agent -dev</c> and <c>sim</c> can show load rising and
/// falling. One instruction per line; <c>#</c> starts a comment; times are Go durations from simulator start.
/// <code>
/// # nodes
/// at 0s   node add count 3 class web dc dc1 pool default cpu 4000 mem 8192
/// at 90s  node sim-client-2 down          # or: ready, disconnected, purge
/// # jobs: register a one-group service job (group and task named after the job), or change its count
/// at 0s   job web count 2 cpu 500 mem 256 class web min 1 max 10 target 70
/// at 0s   job batch1 ns default count 1 type batch
/// # usage: a fixed share per allocation, or a total demand spread over the running allocations
/// at 10s  job web usage_cpu 90%            # every running alloc reports 90% CPU
/// at 10s  job web usage_mem 60%
/// at 20s  job web load_cpu 3000 over 15s   # 3000 MHz in total, ramped linearly over 15 s
/// at 20s  job web load_mem 1024            # 1024 MiB in total
/// at 120s job web stop
/// repeat 180s                              # optional: start over every 180 s
/// </code>
/// A later line for the same job keeps what earlier lines set (type, resources, class...) and changes only what it
/// names, so <c>at 10m job batch1 count 5</c> resizes the job without repeating its spec.
/// A <c>job … min/max</c> line adds a <c>scaling</c> block (target-value on nomad-apm <c>avg_cpu</c>, target
/// <c>target</c>, default 70) so the autoscaler picks the job up. Load shares follow scaling: with <c>load_cpu</c>,
/// more allocations mean less CPU each, which lets a target-value policy settle.
/// </summary>
public sealed class SimulatedWorkload
{
    private static readonly HashSet<string> s_jobKeys = ["ns", "count", "cpu", "mem", "class", "dc", "pool", "min", "max", "target", "type", "group"];
    private static readonly HashSet<string> s_nodeKeys = ["count", "class", "dc", "pool", "cpu", "mem", "name"];

    private SimulatedWorkload(IReadOnlyList<WorkloadStep> steps, TimeSpan? repeat, string source)
    {
        Steps = steps;
        Repeat = repeat;
        Source = source;
    }

    internal IReadOnlyList<WorkloadStep> Steps { get; }

    /// <summary>The period after which the schedule starts over, if any.</summary>
    public TimeSpan? Repeat { get; }

    /// <summary>Where the schedule came from (file name), used in error messages.</summary>
    public string Source { get; }

    /// <summary>Number of timed instructions.</summary>
    public int Count => Steps.Count;

    /// <summary>Loads a schedule file; a file ending in <c>.csv</c> is read as a trace (see <see cref="ParseCsv"/>).</summary>
    public static SimulatedWorkload Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var text = File.ReadAllText(path);
        return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ParseCsv(text, path) : Parse(text, path);
    }

    private static readonly string[] s_csvRequired = ["at", "job", "count", "cpu", "memory"];
    private static readonly string[] s_csvOptional = ["class", "type"];

    /// <summary>
    /// Parses a trace of wanted counts: a CSV with the header <c>at,job,count,cpu,memory,class</c> (columns in any
    /// order; <c>class</c> and <c>type</c> optional). Each row sets the job's wanted count and per-allocation CPU
    /// (MHz) and memory (MiB) from <c>at</c> (a Go duration from start) on; <c>class</c> constrains it to
    /// <c>${node.class}</c>; <c>type</c> is <c>service</c> (default) or <c>batch</c>. Lines starting with <c>#</c> and
    /// blank lines are skipped. The rows become the same steps as <c>job</c> lines; errors name
    /// <c>source:line:column</c>.
    /// </summary>
    /// <exception cref="FormatException">The text is not a valid trace.</exception>
    public static SimulatedWorkload ParseCsv(string text, string source = "workload.csv")
    {
        ArgumentNullException.ThrowIfNull(text);
        var steps = new List<WorkloadStep>();
        Dictionary<string, int>? columns = null;
        var lines = text.Split('\n');
        for (var lineNumber = 1; lineNumber <= lines.Length; lineNumber++)
        {
            var line = lines[lineNumber - 1].TrimEnd('\r');
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = new List<(string Text, int Column)>();
            var start = 0;
            foreach (var raw in line.Split(','))
            {
                var leading = raw.Length - raw.TrimStart().Length;
                fields.Add((raw.Trim(), start + leading + 1));
                start += raw.Length + 1;
            }

            FormatException Error(int column, string message) => new($"{source}:{lineNumber}:{column}: {message}");

            if (columns is null)
            {
                columns = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < fields.Count; i++)
                {
                    var name = fields[i].Text.ToLowerInvariant();
                    if (!s_csvRequired.Contains(name) && !s_csvOptional.Contains(name))
                    {
                        throw Error(fields[i].Column, $"unknown column \"{fields[i].Text}\"; expected at, job, count, cpu, memory and optionally class, type");
                    }

                    if (!columns.TryAdd(name, i))
                    {
                        throw Error(fields[i].Column, $"column \"{name}\" appears twice");
                    }
                }

                var missing = s_csvRequired.Where(c => !columns.ContainsKey(c)).ToList();
                if (missing.Count > 0)
                {
                    throw Error(1, $"the header lacks {string.Join(", ", missing)} (expected at,job,count,cpu,memory,class)");
                }

                continue;
            }

            if (fields.Count != columns.Count)
            {
                throw Error(fields[Math.Min(fields.Count, columns.Count) - 1].Column, $"expected {columns.Count} fields as in the header, found {fields.Count}");
            }

            (string Text, int Column) Field(string name) => fields[columns[name]];

            var at = Field("at");
            if (!GoDuration.TryParse(at.Text, out var when) || when < TimeSpan.Zero)
            {
                throw Error(at.Column, $"invalid duration \"{at.Text}\" for \"at\"");
            }

            var job = Field("job");
            if (job.Text.Length == 0 || job.Text.Any(char.IsWhiteSpace))
            {
                throw Error(job.Column, $"invalid job ID \"{job.Text}\"");
            }

            string Number(string name, int min)
            {
                var (value, column) = Field(name);
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                    ? value
                    : throw Error(column, $"\"{name}\" must be a whole number of at least {min}, found \"{value}\"");
            }

            var args = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["count"] = Number("count", 0),
                ["cpu"] = Number("cpu", 1),
                ["mem"] = Number("memory", 1),
            };
            if (columns.ContainsKey("class") && Field("class").Text.Length > 0)
            {
                args["class"] = Field("class").Text;
            }

            if (columns.ContainsKey("type") && Field("type").Text.Length > 0)
            {
                var type = Field("type");
                args["type"] = type.Text is "service" or "batch" ? type.Text : throw Error(type.Column, $"unknown job type \"{type.Text}\"; expected service or batch");
            }

            steps.Add(new WorkloadStep(when, WorkloadVerb.JobCount, job.Text, args, TimeSpan.Zero, lineNumber));
        }

        if (columns is null)
        {
            throw new FormatException($"{source}:1:1: expected the header at,job,count,cpu,memory,class");
        }

        return new SimulatedWorkload([.. steps.OrderBy(s => s.At).ThenBy(s => s.Line)], null, source);
    }

    /// <summary>Parses schedule text; errors name <c>source:line:column</c>.</summary>
    /// <exception cref="FormatException">The text is not a valid schedule.</exception>
    public static SimulatedWorkload Parse(string text, string source = "workload")
    {
        ArgumentNullException.ThrowIfNull(text);
        var steps = new List<WorkloadStep>();
        TimeSpan? repeat = null;
        var lines = text.Split('\n');
        for (var lineNumber = 1; lineNumber <= lines.Length; lineNumber++)
        {
            var line = lines[lineNumber - 1];
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            var tokens = Tokenize(line);
            if (tokens.Count == 0)
            {
                continue;
            }

            FormatException Error(int tokenIndex, string message) =>
                new($"{source}:{lineNumber}:{(tokenIndex < tokens.Count ? tokens[tokenIndex].Column : line.TrimEnd().Length + 1)}: {message}");

            string Token(int i, string what) => i < tokens.Count ? tokens[i].Text : throw Error(i, $"expected {what}");

            TimeSpan Duration(int i, string what)
            {
                var t = Token(i, what);
                return GoDuration.TryParse(t, out var d) && d >= TimeSpan.Zero ? d : throw Error(i, $"invalid duration \"{t}\" for {what}");
            }

            if (tokens[0].Text == "repeat")
            {
                repeat = Duration(1, "the repeat period");
                if (repeat <= TimeSpan.Zero)
                {
                    throw Error(1, "the repeat period must be positive");
                }

                if (tokens.Count > 2)
                {
                    throw Error(2, $"unexpected \"{tokens[2].Text}\"");
                }

                continue;
            }

            if (tokens[0].Text != "at")
            {
                throw Error(0, $"expected \"at\" or \"repeat\", found \"{tokens[0].Text}\"");
            }

            var at = Duration(1, "the time after \"at\"");
            var kind = Token(2, "\"node\" or \"job\"");
            var subject = Token(3, kind == "node" ? "\"add\" or a node name" : "a job ID");
            var rest = 4;
            WorkloadVerb verb;
            HashSet<string> allowed;
            if (kind == "node")
            {
                if (subject == "add")
                {
                    verb = WorkloadVerb.NodeAdd;
                    allowed = s_nodeKeys;
                }
                else
                {
                    var status = Token(4, "ready, down, disconnected or purge");
                    verb = status == "purge" ? WorkloadVerb.NodePurge : WorkloadVerb.NodeStatus;
                    if (status is not ("ready" or "down" or "disconnected" or "purge"))
                    {
                        throw Error(4, $"unknown node action \"{status}\": expected ready, down, disconnected or purge");
                    }

                    if (tokens.Count > 5)
                    {
                        throw Error(5, $"unexpected \"{tokens[5].Text}\"");
                    }

                    steps.Add(new WorkloadStep(at, verb, subject, new Dictionary<string, string> { ["status"] = status }, TimeSpan.Zero, lineNumber));
                    continue;
                }
            }
            else if (kind == "job")
            {
                verb = WorkloadVerb.JobCount;
                allowed = s_jobKeys;
            }
            else
            {
                throw Error(2, $"expected \"node\" or \"job\", found \"{kind}\"");
            }

            var args = new Dictionary<string, string>(StringComparer.Ordinal);
            var over = TimeSpan.Zero;
            for (var i = rest; i < tokens.Count; i += 2)
            {
                var key = tokens[i].Text;
                if (kind == "job" && key == "stop")
                {
                    verb = WorkloadVerb.JobStop;
                    i--;
                    continue;
                }

                if (kind == "job" && key is "usage_cpu" or "usage_mem" or "load_cpu" or "load_mem")
                {
                    verb = WorkloadVerb.JobUsage;
                    var raw = Token(i + 1, $"a value after \"{key}\"");
                    var isPercent = raw.EndsWith('%');
                    if (key.StartsWith("usage", StringComparison.Ordinal) != isPercent)
                    {
                        throw Error(i + 1, key.StartsWith("usage", StringComparison.Ordinal)
                            ? $"\"{key}\" takes a percentage such as 80%"
                            : $"\"{key}\" takes a plain number (MHz or MiB), not a percentage");
                    }

                    if (!double.TryParse(raw.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || number < 0)
                    {
                        throw Error(i + 1, $"invalid number \"{raw}\" for \"{key}\"");
                    }

                    args[key] = number.ToString("R", CultureInfo.InvariantCulture);
                    continue;
                }

                if (key == "over")
                {
                    over = Duration(i + 1, "the ramp after \"over\"");
                    continue;
                }

                if (!allowed.Contains(key))
                {
                    throw Error(i, $"unknown key \"{key}\"; expected one of {string.Join(", ", allowed.Order(StringComparer.Ordinal))}{(kind == "job" ? ", usage_cpu, usage_mem, load_cpu, load_mem, over, stop" : "")}");
                }

                var value = Token(i + 1, $"a value after \"{key}\"");
                if (key is "count" or "cpu" or "mem" or "min" or "max" && !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    throw Error(i + 1, $"\"{key}\" must be a whole number, found \"{value}\"");
                }

                if (key == "target" && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw Error(i + 1, $"\"target\" must be a number, found \"{value}\"");
                }

                if (key == "type" && value is not ("service" or "batch" or "system"))
                {
                    throw Error(i + 1, $"unknown job type \"{value}\"");
                }

                args[key] = value;
            }

            if (verb == WorkloadVerb.JobCount && !args.ContainsKey("count"))
            {
                throw Error(3, $"job line needs \"count\", a usage (usage_cpu, usage_mem, load_cpu, load_mem) or \"stop\"");
            }

            if (over > TimeSpan.Zero && verb != WorkloadVerb.JobUsage)
            {
                throw Error(3, "\"over\" only applies to usage_cpu, usage_mem, load_cpu and load_mem");
            }

            steps.Add(new WorkloadStep(at, verb, subject, args, over, lineNumber));
        }

        return new SimulatedWorkload([.. steps.OrderBy(s => s.At).ThenBy(s => s.Line)], repeat, source);
    }

    private static List<(string Text, int Column)> Tokenize(string line)
    {
        var tokens = new List<(string, int)>();
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i]))
            {
                i++;
            }

            tokens.Add((line[start..i], start + 1));
        }

        return tokens;
    }
}
