using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NomadAutoscaler.OpenStack;
using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator;

// Compares, on the same cloud and in the same run, the time until N servers are ACTIVE:
//   direct: N concurrent POST /servers, then one list-by-tag per second until all are ACTIVE (the best a client can do);
//   plugin: os-nova ScaleAsync from 0 to N (name resolution, concurrent creates, waiting, verification), with an
//           empty simulated Nomad for its drain check.
// --trace prints the plugin's log lines with the seconds since its scale-out began.
// Rounds alternate direct/plugin so that cloud warm-up and load drift affect both.
var servers = Arg("--servers", 10);
var rounds = Arg("--rounds", 2);
var trace = args.Contains("--trace");
var stateDir = Environment.GetEnvironmentVariable("OS_INFRA_STATE_DIR") is { Length: > 0 } d ? d : "/var/tmp/nomad-autoscaler-openstack";
var env = ReadEnv(Path.Combine(stateDir, "openrc"));
var ids = ReadEnv(Path.Combine(stateDir, "ids.env"));
var credentials = CloudConfig.FromEnvironment(k => env.GetValueOrDefault(k));
using var client = new OpenStackClient(credentials);
// The plugin asks Nomad for scale-in drains to cancel before it boots servers; in production a Nomad answers, so one
// answers here too (an empty simulated cluster), rather than the plugin retrying a missing one.
await using var nomad = new NomadSimulator();
var nomadAddress = (await nomad.StartAsync(new SimulatorOptions())).ToString().TrimEnd('/');
await client.Nova.DiscoverMicroversionAsync();

var direct = new List<double>();
var plugin = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    direct.Add(await DirectAsync());
    plugin.Add(await PluginAsync());
}

Console.WriteLine($"| run | direct Nova creates (s) | os-nova ScaleAsync (s) | ratio |");
Console.WriteLine("|---|---|---|---|");
for (var i = 0; i < rounds; i++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {i + 1} | {direct[i]:F1} | {plugin[i]:F1} | {plugin[i] / direct[i]:F2} |"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| **median** | **{Median(direct):F1}** | **{Median(plugin):F1}** | **{Median(plugin) / Median(direct):F2}** |"));
return 0;

async Task<double> DirectAsync()
{
    var tag = "bench-direct-" + Guid.NewGuid().ToString("N")[..8];
    var watch = Stopwatch.StartNew();
    var created = await Task.WhenAll(Enumerable.Range(0, servers).Select(i => client.Nova.CreateServerAsync(new NovaServerCreateRequest
    {
        Name = $"{tag}-{i}",
        ImageId = ids["OS_TEST_IMAGE_ID"],
        FlavorId = ids["OS_TEST_FLAVOR_ID"],
        NetworkIds = [ids["OS_TEST_NETWORK_ID"]],
        SecurityGroups = ["default"],
        Tags = [tag],
    })));
    while ((await client.Nova.ListServersAsync(tag)).Count(s => s.Status == "ACTIVE") < created.Length)
        await Task.Delay(TimeSpan.FromSeconds(1));
    var seconds = watch.Elapsed.TotalSeconds;
    await CleanAsync(tag);
    return seconds;
}

async Task<double> PluginAsync()
{
    var pool = "bench-" + Guid.NewGuid().ToString("N")[..8];
    var clock = Stopwatch.StartNew();
    using var target = new OsNovaPlugin(trace ? new TraceLogger(clock) : null, TimeProvider.System, _ => null, new OpenStackClientOptions());
    await target.ConfigureAsync(new OsNovaOptions
    {
        AuthUrl = credentials.AuthUrl,
        Username = credentials.Username,
        Password = credentials.Password,
        UserDomainName = credentials.UserDomainName,
        ProjectDomainName = credentials.ProjectDomainName,
        ProjectName = credentials.ProjectName,
        NomadAddress = nomadAddress,
        ActionTimeout = TimeSpan.FromMinutes(5),
    }, CancellationToken.None);
    var settings = new PluginSettings(new Dictionary<string, string>
    {
        ["pool_name"] = pool,
        ["node_class"] = pool,
        ["name_prefix"] = pool + "-",
        ["image_name"] = ids["OS_TEST_IMAGE_NAME"],
        ["flavor_name"] = ids["OS_TEST_FLAVOR_NAME"],
        ["network_name"] = ids["OS_TEST_NETWORK_NAME"],
        ["security_groups"] = "default",
    });
    var watch = Stopwatch.StartNew();
    clock.Restart();
    await target.ScaleAsync(new ScalingAction(servers, ScalingDirection.Up, "bench"), settings, CancellationToken.None);
    var seconds = watch.Elapsed.TotalSeconds;
    await CleanAsync("na_pool:" + pool);
    return seconds;
}

async Task CleanAsync(string tag)
{
    foreach (var server in await client.Nova.ListServersAsync(tag)) await client.Nova.DeleteServerAsync(server.Id);
    while ((await client.Nova.ListServersAsync(tag)).Count > 0) await Task.Delay(TimeSpan.FromSeconds(1));
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static Dictionary<string, string> ReadEnv(string path)
{
    var values = new Dictionary<string, string>(StringComparer.Ordinal);
    foreach (var line in File.ReadAllLines(path))
    {
        var match = Regex.Match(line, @"^\s*export\s+(OS_[A-Z0-9_]+)='(.*)'\s*$");
        if (match.Success) values[match.Groups[1].Value] = match.Groups[2].Value;
    }

    return values;
}

/// <summary>--trace: the plugin's log lines with the seconds since its scale-out began, to see where its time goes.</summary>
internal sealed class TraceLogger(Stopwatch clock) : Microsoft.Extensions.Logging.ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
        => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds,7:F2} {logLevel} {formatter(state, exception)}"));
}
