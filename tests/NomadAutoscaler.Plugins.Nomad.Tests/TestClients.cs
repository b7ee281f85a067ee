using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

internal static class TestClients
{
    public const string Token = "s3cr3t-token-value";

    public static NomadClient Create(StubNomad stub, TimeProvider? time = null, NomadClientOptions? options = null)
        => new(options ?? new NomadClientOptions { Address = "http://nomad.test:4646", Token = Token, RetryBaseDelay = TimeSpan.FromSeconds(1) },
            stub, time ?? new FakeTimeProvider());

    /// <summary>A node stub JSON object for /v1/nodes.</summary>
    public static string NodeStub(string id, ulong createIndex, string nodeClass = "", string dc = "dc1", string pool = "default",
        string status = "ready", string eligibility = "eligible", bool drain = false, long cpu = 2500, long memory = 2000)
        => $$$"""
           {"Address":"10.0.0.1","ID":"{{{id}}}","Datacenter":"{{{dc}}}","Name":"n-{{{id}}}","NodePool":"{{{pool}}}","NodeClass":"{{{nodeClass}}}",
            "Version":"2.0.5","Drain":{{{(drain ? "true" : "false")}}},"SchedulingEligibility":"{{{eligibility}}}","Status":"{{{status}}}","StatusDescription":"",
            "HostVolumes":null,"NodeResources":{"Cpu":{"CpuShares":{{{cpu}}}},"Memory":{"MemoryMB":{{{memory}}}},"Disk":{"DiskMB":1000}},
            "ReservedResources":{"Cpu":{"CpuShares":0},"Memory":{"MemoryMB":0},"Disk":{"DiskMB":0}},
            "LastDrain":null,"CreateIndex":{{{createIndex}}},"ModifyIndex":{{{createIndex + 1}}}}
           """;

    public static string Nodes(params string[] stubs) => "[" + string.Join(",", stubs) + "]";

    /// <summary>A full node JSON object for /v1/node/:id.</summary>
    public static string FullNode(string id, string? drainStrategy = null, string status = "ready", string attributes = "{}", long cpu = 2500, long memory = 2000)
        => $$$"""
           {"ID":"{{{id}}}","SecretID":"","Datacenter":"dc1","Name":"n-{{{id}}}","NodeClass":"","NodePool":"default","Attributes":{{{attributes}}},"Meta":{"nova_id":"meta-{{{id}}}"},
            "NodeResources":{"Cpu":{"CpuShares":{{{cpu}}}},"Memory":{"MemoryMB":{{{memory}}}}},"ReservedResources":{"Cpu":{"CpuShares":100},"Memory":{"MemoryMB":200}},
            "DrainStrategy":{{{drainStrategy ?? "null"}}},"Drain":{{{(drainStrategy is null ? "false" : "true")}}},"SchedulingEligibility":"ineligible","Status":"{{{status}}}",
            "CreateIndex":5,"ModifyIndex":9}
           """;

    public const string RunningDrain = """{"Deadline":900000000000,"IgnoreSystemJobs":false,"ForceDeadline":"2026-08-21T12:15:00Z","StartedAt":"2026-08-21T12:00:00.123456789Z"}""";

    public static string Alloc(string id, string clientStatus, string desiredStatus = "run", string jobType = "service", int cpu = 100, int memory = 256, ulong createIndex = 10)
        => $$$"""
           {"ID":"{{{id}}}","Namespace":"default","Name":"j.g[0]","NodeID":"n1","JobID":"j","Job":{"ID":"j","Type":"{{{jobType}}}"},"TaskGroup":"g",
            "Resources":{"CPU":{{{cpu}}},"MemoryMB":{{{memory}}}},"DesiredStatus":"{{{desiredStatus}}}","ClientStatus":"{{{clientStatus}}}","CreateIndex":{{{createIndex}}},"ModifyIndex":{{{createIndex}}}}
           """;
}
