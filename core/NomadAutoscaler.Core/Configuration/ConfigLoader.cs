using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Configuration;

/// <summary>Loads the effective agent configuration: defaults, Nomad environment variables, each <c>-config</c>
/// path in order (a directory's <c>*.hcl</c>/<c>*.json</c> files in name order), then CLI flags.</summary>
public static class ConfigLoader
{
    /// <summary>The built-in plugin blocks every agent starts with (upstream launches these automatically).</summary>
    public static IReadOnlyList<PluginConfig> DefaultApms { get; } = [Builtin("nomad-apm")];

    public static IReadOnlyList<PluginConfig> DefaultStrategies { get; } =
        [Builtin("fixed-value"), Builtin("pass-through"), Builtin("target-value"), Builtin("threshold")];

    public static IReadOnlyList<PluginConfig> DefaultTargets { get; } = [Builtin("nomad-target")];

    public static AgentConfig Defaults(string workingDirectory) => new()
    {
        PluginDir = Path.Combine(workingDirectory, "plugins"),
        Apms = DefaultApms,
        Strategies = DefaultStrategies,
        Targets = DefaultTargets,
    };

    /// <summary>Loads and validates. On any problem, throws <see cref="ConfigException"/> listing every diagnostic of
    /// every file.</summary>
    public static AgentConfig Load(IReadOnlyList<string> paths, ConfigFragment? flags, IReadOnlyDictionary<string, string?> environment, string workingDirectory)
    {
        var config = ConfigFragment.Apply(Defaults(workingDirectory), FromEnvironment(environment));
        var problems = new List<string>();
        foreach (var path in paths)
        {
            foreach (var file in ExpandPath(path, problems))
            {
                var diagnostics = new HclDiagnostics();
                var fragment = ConfigDecoder.DecodeFile(file, diagnostics);
                if (diagnostics.HasErrors)
                {
                    problems.Add($"error loading configuration from {path}: error parsing config file {file}:\n" +
                        string.Join("\n", diagnostics.Where(d => d.Severity == HclSeverity.Error).Select(d => d.ToString())));
                    continue;
                }

                var driverChanges = ConfigFragment.DriverChanges(config, fragment);
                problems.AddRange(driverChanges.Select(p => $"error loading configuration from {path}: {p}"));
                if (driverChanges.Count == 0) config = ConfigFragment.Apply(config, fragment);
            }
        }

        // Flags go last so they win; on reload the caller passes the same fragment again, so they survive.
        if (flags is not null) config = ConfigFragment.Apply(config, flags);
        if (problems.Count == 0) problems.AddRange(ConfigValidator.Validate(config).Select(p => "invalid configuration: " + p));
        if (problems.Count > 0) throw new ConfigException(problems);
        return config;
    }

    /// <summary>The process environment as the loader wants it.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }

    /// <summary>The files a <c>-config</c> path stands for: the file itself, or a directory's config files (not
    /// recursive) in name order, without editor temp files.</summary>
    public static IReadOnlyList<string> ExpandPath(string path, List<string> problems)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path))
        {
            problems.Add($"error loading configuration from {path}: no such file or directory");
            return [];
        }

        return Directory.EnumerateFiles(path)
            .Where(IsConfigFile)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static bool IsConfigFile(string path)
    {
        var name = Path.GetFileName(path);
        if (name.EndsWith('~') || name.StartsWith(".#", StringComparison.Ordinal) || (name.StartsWith('#') && name.EndsWith('#'))) return false;
        return name.EndsWith(".hcl", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal);
    }

    /// <summary>Nomad client environment variables, the lowest-priority source after defaults (as the Go client).</summary>
    public static ConfigFragment FromEnvironment(IReadOnlyDictionary<string, string?> env)
    {
        string? Get(string key) => env.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        var fragment = new ConfigFragment
        {
            NomadAddress = Get("NOMAD_ADDR"),
            NomadRegion = Get("NOMAD_REGION"),
            NomadToken = Get("NOMAD_TOKEN"),
            NomadHttpAuth = Get("NOMAD_HTTP_AUTH"),
            NomadCaCert = Get("NOMAD_CACERT"),
            NomadCaPath = Get("NOMAD_CAPATH"),
            NomadClientCert = Get("NOMAD_CLIENT_CERT"),
            NomadClientKey = Get("NOMAD_CLIENT_KEY"),
            NomadTlsServerName = Get("NOMAD_TLS_SERVER_NAME"),
        };
        if (Get("NOMAD_NAMESPACE") is { } ns) fragment.NomadNamespaces = [ns];
        if (Get("NOMAD_SKIP_VERIFY") is { } skip && NomadAutoscaler.Plugins.Sdk.GoValues.TryParseBool(skip, out var b)) fragment.NomadSkipVerify = b;
        return fragment;
    }

    private static PluginConfig Builtin(string name) => new(name, name, [], new Dictionary<string, string>());
}

/// <summary>The configuration cannot be used; <see cref="Problems"/> holds every problem found, with locations.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<string> problems) : base(string.Join("\n", problems)) => Problems = problems;

    public ConfigException() : this([]) { }

    public ConfigException(string message) : this([message]) { }

    public ConfigException(string message, Exception inner) : base(message, inner) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}
