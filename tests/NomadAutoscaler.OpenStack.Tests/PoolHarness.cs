using System.Text.Json.Nodes;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator;
using NomadAutoscaler.Simulator.CloudJoin;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

/// <summary>A Nomad simulator whose cloud-join hook polls the real Nova (ACTIVE pool servers become nodes of
/// <see cref="NodeClass"/>), plus an os-nova plugin configured against both, and a unique pool that is emptied at the end.</summary>
internal sealed class PoolHarness : IAsyncDisposable
{
    private readonly NovaCloudJoinSource _joinSource;
    private readonly OpenStackClient _observer;

    private PoolHarness(LoopbackCloud cloud, NomadSimulator simulator, NovaCloudJoinSource joinSource, OpenStackClient observer,
        string poolName, TestLogger log)
    {
        Cloud = cloud;
        Simulator = simulator;
        _joinSource = joinSource;
        _observer = observer;
        PoolName = poolName;
        Log = log;
        Nomad = new NomadClient(new NomadClientOptions { Address = simulator.Address.ToString().TrimEnd('/') });
    }

    public LoopbackCloud Cloud { get; }
    public NomadSimulator Simulator { get; }
    public NomadClient Nomad { get; }
    public string PoolName { get; }
    public string NodeClass => "os-" + PoolName;
    public TestLogger Log { get; }
    public OpenStackClient Observer => _observer;

    /// <param name="neverJoinMetadataKey">Servers with this metadata key never become nodes (a broken image).</param>
    public static async Task<PoolHarness> StartAsync(LoopbackCloud cloud, ITestOutputHelper output, string? neverJoinMetadataKey = null)
    {
        var poolName = "it-" + Guid.NewGuid().ToString("N")[..10];
        var observer = new OpenStackClient(cloud.Member);
        await observer.Nova.DiscoverMicroversionAsync();
        var joinSource = new NovaCloudJoinSource(observer);
        var simulator = new NomadSimulator();
        var options = new SimulatorOptions
        {
            CloudJoinSource = joinSource,
            CloudJoinInterval = TimeSpan.FromSeconds(1),
            NodeInitializeDelay = TimeSpan.FromMilliseconds(500),
            AllocStartDelay = TimeSpan.FromMilliseconds(300),
            AllocStopDelay = TimeSpan.FromMilliseconds(300),
            TickInterval = TimeSpan.FromMilliseconds(100),
        };
        options.CloudJoinPools.Add(new CloudJoinPool { PoolName = poolName, NodeClass = "os-" + poolName, Cpu = 4000, MemoryMB = 8192,
            NeverJoinMetadataKey = neverJoinMetadataKey });
        await simulator.StartAsync(options);
        return new PoolHarness(cloud, simulator, joinSource, observer, poolName, new TestLogger(output));
    }

    public OsNovaOptions AgentOptions(Action<OsNovaOptions>? configure = null)
    {
        var member = Cloud.Member;
        var options = new OsNovaOptions
        {
            AuthUrl = member.AuthUrl,
            Username = member.Username,
            Password = member.Password,
            UserDomainName = member.UserDomainName,
            ProjectDomainName = member.ProjectDomainName,
            ProjectName = member.ProjectName,
            NomadAddress = Simulator.Address.ToString().TrimEnd('/'),
            ActionTimeout = TimeSpan.FromMinutes(3),
        };
        configure?.Invoke(options);
        return options;
    }

    public async Task<OsNovaPlugin> PluginAsync(Action<OsNovaOptions>? configure = null, OpenStackClientOptions? clientOptions = null,
        HttpMessageHandler? handler = null)
    {
        var plugin = new OsNovaPlugin(Log, TimeProvider.System, _ => null, clientOptions ?? new OpenStackClientOptions(), handler);
        await plugin.ConfigureAsync(AgentOptions(configure), CancellationToken.None);
        return plugin;
    }

    public PluginSettings Target(params (string Key, string Value)[] extra)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pool_name"] = PoolName,
            ["node_class"] = NodeClass,
            ["name_prefix"] = PoolName + "-",
            ["image_name"] = Cloud.Id("OS_TEST_IMAGE_NAME"),
            ["flavor_name"] = Cloud.Id("OS_TEST_FLAVOR_NAME"),
            ["network_name"] = Cloud.Id("OS_TEST_NETWORK_NAME"),
            ["security_groups"] = "default",
            ["node_drain_deadline"] = "1m",
        };
        foreach (var (key, value) in extra)
        {
            if (value.Length == 0) map.Remove(key);
            else map[key] = value;
        }

        return new PluginSettings(map);
    }

    public async Task<IReadOnlyList<NovaServer>> ServersAsync() => await _observer.Nova.ListServersAsync(PoolTag);

    public string PoolTag => "na_pool:" + PoolName;

    public async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail($"timed out after {timeout} waiting for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>Waits until <paramref name="count"/> pool nodes are ready in the simulator.</summary>
    public Task WaitForReadyNodesAsync(int count) => WaitForAsync(
        () => Task.FromResult(Simulator.GetNodes().Count(n => n.NodeClass == NodeClass && n.Status == "ready") == count),
        TimeSpan.FromMinutes(1), $"{count} ready nodes");

    /// <summary>Registers a service job of <paramref name="count"/> allocations constrained to the pool's node class.</summary>
    public string RegisterJob(int count, string id = "web", int cpu = 500, IReadOnlyDictionary<string, string>? meta = null)
    {
        var job = new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = id,
                ["Name"] = id,
                ["Type"] = "service",
                ["Datacenters"] = new JsonArray("dc1"),
                ["Constraints"] = new JsonArray(new JsonObject { ["LTarget"] = "${node.class}", ["RTarget"] = NodeClass, ["Operand"] = "=" }),
                ["TaskGroups"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "app",
                    ["Count"] = count,
                    ["Tasks"] = new JsonArray(new JsonObject
                    {
                        ["Name"] = "app",
                        ["Driver"] = "docker",
                        ["Config"] = new JsonObject { ["image"] = "nginx" },
                        ["Resources"] = new JsonObject { ["CPU"] = cpu, ["MemoryMB"] = 256 },
                    }),
                }),
            },
        };
        if (meta is not null) job["Job"]!["Meta"] = new JsonObject(meta.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        return Simulator.RegisterJob(job.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        // Empty the pool whatever the test did, and wait until Nova forgot the servers: nothing may leak.
        try
        {
            foreach (var server in await ServersAsync()) await _observer.Nova.DeleteServerAsync(server.Id);
            await WaitForAsync(async () => (await ServersAsync()).Count == 0, TimeSpan.FromMinutes(2), "pool cleanup");
        }
        finally
        {
            await Simulator.DisposeAsync();
            Nomad.Dispose();
            _joinSource.Dispose();
            _observer.Dispose();
        }
    }
}
