using Xunit.Abstractions;
using System.Text.RegularExpressions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>The real OpenStack started by tests/infra/openstack/up.sh: credentials and bootstrap IDs read from its state
/// directory. Integration tests call <see cref="Get"/>: it returns null when the cloud is not there (the test then
/// returns early with a message), or fails the test when <c>REQUIRE_INTEGRATION=1</c>.</summary>
internal sealed partial class LoopbackCloud
{
    private static readonly Lazy<(LoopbackCloud? Cloud, string Why)> Instance = new(Load);

    private LoopbackCloud(string stateDir, IReadOnlyDictionary<string, string> member, IReadOnlyDictionary<string, string> appCred,
        IReadOnlyDictionary<string, string> admin, IReadOnlyDictionary<string, string> ids)
    {
        StateDir = stateDir;
        MemberEnvironment = member;
        AppCredEnvironment = appCred;
        AdminEnvironment = admin;
        Ids = ids;
    }

    public string StateDir { get; }
    public IReadOnlyDictionary<string, string> MemberEnvironment { get; }
    public IReadOnlyDictionary<string, string> AppCredEnvironment { get; }
    public IReadOnlyDictionary<string, string> AdminEnvironment { get; }
    public IReadOnlyDictionary<string, string> Ids { get; }

    public string CloudsYaml => Path.Combine(StateDir, "clouds.yaml");
    public OpenStackCredentials Member => CloudConfig.FromEnvironment(k => MemberEnvironment.GetValueOrDefault(k));
    public OpenStackCredentials AppCred => CloudConfig.FromEnvironment(k => AppCredEnvironment.GetValueOrDefault(k));
    public OpenStackCredentials Admin => CloudConfig.FromEnvironment(k => AdminEnvironment.GetValueOrDefault(k));
    public string Id(string name) => Ids.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"ids.env has no {name}");

    public static LoopbackCloud? Get(ITestOutputHelper output)
    {
        var (cloud, why) = Instance.Value;
        if (cloud is not null) return cloud;
        if (Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1")
            Assert.Fail($"REQUIRE_INTEGRATION=1 but the loopback OpenStack is not available: {why} (start it with tests/infra/openstack/up.sh)");
        output.WriteLine($"loopback OpenStack not available, test not run: {why}");
        return null;
    }

    private static (LoopbackCloud?, string) Load()
    {
        var dir = Environment.GetEnvironmentVariable("OS_INFRA_STATE_DIR") is { Length: > 0 } d ? d : "/var/tmp/nomad-autoscaler-openstack";
        string[] files = ["openrc", "appcred-openrc", "admin-openrc", "ids.env"];
        foreach (var file in files)
        {
            if (!File.Exists(Path.Combine(dir, file))) return (null, $"{Path.Combine(dir, file)} does not exist");
        }

        var cloud = new LoopbackCloud(dir, ReadEnv(Path.Combine(dir, "openrc")), ReadEnv(Path.Combine(dir, "appcred-openrc")),
            ReadEnv(Path.Combine(dir, "admin-openrc")), ReadEnv(Path.Combine(dir, "ids.env")));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var response = http.GetAsync(cloud.Member.AuthUrl).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode) return (null, $"Keystone answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (null, $"Keystone at {cloud.Member.AuthUrl} does not answer: {ex.Message}");
        }

        return (cloud, "");
    }

    /// <summary>Reads <c>export NAME='value'</c> lines as up.sh writes them.</summary>
    private static Dictionary<string, string> ReadEnv(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var match = ExportLine().Match(line);
            if (!match.Success) continue;
            var raw = match.Groups[2].Value;
            values[match.Groups[1].Value] = raw.Length >= 2 && raw[0] == '\'' && raw[^1] == '\''
                ? raw[1..^1].Replace("'\\''", "'", StringComparison.Ordinal)
                : raw.Trim('"');
        }

        return values;
    }

    [GeneratedRegex(@"^\s*export\s+(OS_[A-Z0-9_]+)=(.*)$")]
    private static partial Regex ExportLine();
}
