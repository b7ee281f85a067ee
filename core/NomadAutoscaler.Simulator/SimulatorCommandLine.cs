using System.Globalization;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Simulator;

/// <summary>
/// Go-style flags (<c>-flag=value</c>, <c>-flag value</c>, <c>--flag</c>; booleans as <c>-flag</c> or
/// <c>-flag=false</c>) for <c>nomad-autoscaler sim</c>, turned into <see cref="SimulatorOptions"/>.
/// </summary>
public static class SimulatorCommandLine
{
    /// <summary>The usage text, in the style of Nomad's CLI help.</summary>
    public const string HelpText = """
        Usage: nomad-autoscaler sim [options]

          Runs a simulated Nomad cluster (HTTP API on loopback) with a workload, for
          trying the autoscaler without Nomad.

        General Options:

          -scenario=<name>
            Start from a built-in setup: "dev" (3 nodes of class sim-web, a "web" job
            with a scaling policy and a load that rises and falls) or "empty".
            Defaults to "empty".

          -port=<port>
            TCP port of the HTTP API; 0 picks a free port. Defaults to 4646.

          -bind=<address>
            Loopback address to listen on (127.0.0.1 or ::1). Defaults to 127.0.0.1.

          -region=<name>         Region the simulated server reports. Defaults to "global".
          -datacenter=<name>     Datacenter of the server and default of nodes. Defaults to "dc1".
          -node-name=<name>      The agent's node name. Defaults to "nomad-sim".

          -acl-token=<secret>
            Enable ACLs: every request must carry this management token.

          -prometheus-metrics
            Serve /v1/metrics?format=prometheus. Defaults to true.

        Nodes:

          -nodes=<count>         Number of initial client nodes. Defaults to 0.
          -node-class=<class>    Node class of those nodes.
          -node-cpu=<mhz>        CPU of each node in MHz. Defaults to 4000.
          -node-memory=<mb>      Memory of each node in MiB. Defaults to 8192.
          -node-datacenter=<dc>  Datacenter of each node. Defaults to -datacenter.
          -node-pool=<pool>      Node pool of each node. Defaults to "default".

        Workload:

          -workload=<path>
            A workload schedule file (lines such as "at 30s job web load_cpu 3000
            over 10s"); see the simulator documentation for the format.

          -alloc-start-delay=<duration>  Time an allocation stays pending. Defaults to 2s.
          -alloc-stop-delay=<duration>   Time a stopped allocation takes to finish. Defaults to 1s.
          -node-init-delay=<duration>    Time a new node stays initializing. Defaults to 3s.
          -job-max-count=<n>             The server's job_max_count. Defaults to 50000.

        Cloud join (servers of a cloud pool become Nomad nodes):

          -cloud-join-pool=<spec>
            Repeatable. "pool=<na_pool name>,class=<node class>[,dc=..][,node_pool=..]
            [,cpu=..][,memory=..][,hostname_suffix=..]".

          -cloud-join-interval=<duration>  Poll interval. Defaults to 5s.

          -os-auth-url, -os-username, -os-password, -os-project-id, -os-project-name,
          -os-domain-name, -os-user-domain-name, -os-project-domain-name,
          -os-region-name, -os-application-credential-id,
          -os-application-credential-secret, -os-cacert, -os-insecure
            OpenStack credentials for the cloud-join source; each defaults to the
            matching OS_* environment variable.
        """;

    private static readonly string[] s_osFlags =
    [
        "os-auth-url", "os-username", "os-password", "os-project-id", "os-project-name", "os-domain-name", "os-user-domain-name",
        "os-project-domain-name", "os-region-name", "os-application-credential-id", "os-application-credential-name",
        "os-application-credential-secret", "os-cacert", "os-insecure", "os-interface", "os-user-id", "os-domain-id", "os-tenant-id", "os-tenant-name",
    ];

    private static readonly HashSet<string> s_boolFlags = ["prometheus-metrics", "disable-hostname", "help", "h"];

    private static readonly HashSet<string> s_valueFlags =
    [
        "scenario", "port", "bind", "region", "datacenter", "node-name", "acl-token", "nodes", "node-class", "node-cpu", "node-memory",
        "node-datacenter", "node-pool", "workload", "alloc-start-delay", "alloc-stop-delay", "node-init-delay", "job-max-count",
        "cloud-join-pool", "cloud-join-interval", "tick",
    ];

    /// <summary>True when the arguments ask for help (<c>-h</c>, <c>-help</c>, <c>--help</c>).</summary>
    public static bool IsHelpRequest(IReadOnlyList<string> args) =>
        args?.Any(a => a is "-h" or "-help" or "--help" or "--h") ?? false;

    /// <summary>Parses the flags; the <c>OS_*</c> defaults come from the process environment.</summary>
    /// <exception cref="ArgumentException">A flag is unknown or has a bad value; the message follows Go's flag package.</exception>
    public static SimulatorOptions Parse(IReadOnlyList<string> args) =>
        Parse(args, Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => e.Key is string k && k.StartsWith("OS_", StringComparison.Ordinal))
            .ToDictionary(e => (string)e.Key, e => e.Value?.ToString() ?? "", StringComparer.Ordinal));

    /// <summary>Parses the flags with an explicit environment for the <c>OS_*</c> defaults.</summary>
    public static SimulatorOptions Parse(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new List<(string Name, string Value)>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                if (i + 1 < args.Count)
                {
                    throw new ArgumentException($"unexpected argument: {args[i + 1]}");
                }

                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                throw new ArgumentException($"unexpected argument: {arg}");
            }

            var body = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg[1..];
            var eq = body.IndexOf('=', StringComparison.Ordinal);
            var name = eq >= 0 ? body[..eq] : body;
            string? value = eq >= 0 ? body[(eq + 1)..] : null;
            if (s_boolFlags.Contains(name))
            {
                values.Add((name, value ?? "true"));
                continue;
            }

            if (!s_valueFlags.Contains(name) && !s_osFlags.Contains(name))
            {
                throw new ArgumentException($"flag provided but not defined: -{name}");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"flag needs an argument: -{name}");
                }

                value = args[++i];
            }

            values.Add((name, value));
        }

        string? Last(string name) => values.LastOrDefault(v => v.Name == name).Value;

        var scenario = Last("scenario") ?? "empty";
        var options = scenario switch
        {
            "dev" => SimulatorScenarios.Dev(),
            "empty" => new SimulatorOptions { Port = 4646 },
            _ => throw new ArgumentException($"invalid value \"{scenario}\" for flag -scenario: must be \"dev\" or \"empty\""),
        };

        foreach (var (name, value) in values)
        {
            switch (name)
            {
                case "port":
                    options.Port = Int(name, value, 0, 65535);
                    break;
                case "bind":
                    options.BindAddress = value;
                    break;
                case "region":
                    options.Region = value;
                    break;
                case "datacenter":
                    options.Datacenter = value;
                    break;
                case "node-name":
                    options.NodeName = value;
                    break;
                case "acl-token":
                    options.ManagementToken = value.Length == 0 ? null : value;
                    break;
                case "prometheus-metrics":
                    options.PrometheusMetrics = Bool(name, value);
                    break;
                case "disable-hostname":
                    options.DisableHostname = Bool(name, value);
                    break;
                case "workload":
                    options.WorkloadFile = value;
                    break;
                case "alloc-start-delay":
                    options.AllocStartDelay = Duration(name, value);
                    break;
                case "alloc-stop-delay":
                    options.AllocStopDelay = Duration(name, value);
                    break;
                case "node-init-delay":
                    options.NodeInitializeDelay = Duration(name, value);
                    break;
                case "tick":
                    options.TickInterval = Duration(name, value);
                    break;
                case "job-max-count":
                    options.JobMaxCount = Int(name, value, 0, int.MaxValue);
                    break;
                case "cloud-join-interval":
                    options.CloudJoinInterval = Duration(name, value);
                    break;
                case "cloud-join-pool":
                    options.CloudJoinPools.Add(Pool(value));
                    break;
            }
        }

        var nodeCount = Last("nodes") is { } n ? Int("nodes", n, 0, 10000) : 0;
        var nodeSpec = new SimulatorNodeSpec
        {
            NodeClass = Last("node-class") ?? "",
            Cpu = Last("node-cpu") is { } cpu ? Int("node-cpu", cpu, 1, int.MaxValue) : 4000,
            MemoryMB = Last("node-memory") is { } mem ? Int("node-memory", mem, 1, int.MaxValue) : 8192,
            Datacenter = Last("node-datacenter") ?? options.Datacenter,
            NodePool = Last("node-pool") ?? "default",
        };
        for (var i = 0; i < nodeCount; i++)
        {
            options.Nodes.Add(nodeSpec);
        }

        foreach (var flag in s_osFlags)
        {
            var envName = flag.ToUpperInvariant().Replace('-', '_');
            if (Last(flag) is { } value)
            {
                options.OpenStackEnvironment[envName] = value;
            }
            else if (environment.TryGetValue(envName, out var envValue))
            {
                options.OpenStackEnvironment[envName] = envValue;
            }
        }

        return options;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max
            ? result
            : throw new ArgumentException($"invalid value \"{value}\" for flag -{name}: must be a whole number between {min} and {max}");

    private static bool Bool(string name, string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new ArgumentException($"invalid boolean value \"{value}\" for -{name}: parse error"),
    };

    private static TimeSpan Duration(string name, string value) =>
        GoDuration.TryParse(value, out var duration) && duration >= TimeSpan.Zero
            ? duration
            : throw new ArgumentException($"invalid value \"{value}\" for flag -{name}: time: invalid duration \"{value}\"");

    private static CloudJoinPool Pool(string spec)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"invalid value \"{spec}\" for flag -cloud-join-pool: \"{part}\" is not key=value");
            }

            var key = part[..eq];
            if (key is not ("pool" or "class" or "dc" or "node_pool" or "cpu" or "memory" or "hostname_suffix"))
            {
                throw new ArgumentException($"invalid value \"{spec}\" for flag -cloud-join-pool: unknown key \"{key}\" (pool, class, dc, node_pool, cpu, memory, hostname_suffix)");
            }

            fields[key] = part[(eq + 1)..];
        }

        if (!fields.TryGetValue("pool", out var pool) || pool.Length == 0)
        {
            throw new ArgumentException($"invalid value \"{spec}\" for flag -cloud-join-pool: \"pool\" is required");
        }

        return new CloudJoinPool
        {
            PoolName = pool,
            NodeClass = fields.GetValueOrDefault("class", ""),
            Datacenter = fields.GetValueOrDefault("dc", "dc1"),
            NodePool = fields.GetValueOrDefault("node_pool", "default"),
            Cpu = fields.TryGetValue("cpu", out var cpu) ? Int("cloud-join-pool cpu", cpu, 1, int.MaxValue) : 4000,
            MemoryMB = fields.TryGetValue("memory", out var memory) ? Int("cloud-join-pool memory", memory, 1, int.MaxValue) : 8192,
            HostnameSuffix = fields.GetValueOrDefault("hostname_suffix", ""),
        };
    }
}
