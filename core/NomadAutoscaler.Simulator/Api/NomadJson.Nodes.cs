using System.Globalization;
using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>Nodes and their stubs, as Nomad renders them.</summary>
internal static partial class NomadJson
{
    public static JsonObject NodeResources(SimNode node) => new()
    {
        ["Cpu"] = new JsonObject
        {
            ["CpuShares"] = node.CpuShares,
            ["TotalCpuCores"] = node.TotalCpuCores,
            ["ReservableCpuCores"] = new JsonArray([.. Enumerable.Range(0, node.TotalCpuCores).Select(i => (JsonNode)i)]),
        },
        ["Processors"] = new JsonObject
        {
            ["Topology"] = new JsonObject
            {
                ["Nodes"] = new JsonArray(0),
                ["Distances"] = new JsonArray(new JsonArray(10)),
                ["Cores"] = new JsonArray([.. Enumerable.Range(0, node.TotalCpuCores).Select(i => (JsonNode)new JsonObject
                {
                    ["SocketID"] = 0, ["NodeID"] = 0, ["ID"] = i, ["Grade"] = true, ["Disable"] = false,
                    ["BaseSpeed"] = node.CpuShares / node.TotalCpuCores, ["MaxSpeed"] = 0, ["GuessSpeed"] = 0,
                })]),
                ["OverrideTotalCompute"] = 0,
                ["OverrideWitholdCompute"] = 0,
            },
        },
        ["Memory"] = new JsonObject { ["MemoryMB"] = node.MemoryMB },
        ["Disk"] = new JsonObject { ["DiskMB"] = node.DiskMB },
        ["Devices"] = null,
        ["NodeNetworks"] = new JsonArray(new JsonObject
        {
            ["Mode"] = "host",
            ["Device"] = "eth0",
            ["MacAddress"] = "02:42:ac:11:00:02",
            ["Speed"] = 1000,
            ["Addresses"] = new JsonArray(new JsonObject
            {
                ["Family"] = "ipv4", ["Alias"] = "default", ["Address"] = node.Address, ["ReservedPorts"] = "", ["Gateway"] = "",
            }),
        }),
        ["Networks"] = new JsonArray(new JsonObject
        {
            ["Mode"] = "host", ["Device"] = "eth0", ["CIDR"] = node.Address + "/32", ["IP"] = node.Address, ["MBits"] = 1000,
        }),
        ["MinDynamicPort"] = 20000,
        ["MaxDynamicPort"] = 32000,
    };

    public static JsonObject ReservedResources(SimNode node) => new()
    {
        ["Cpu"] = new JsonObject { ["CpuShares"] = node.ReservedCpu, ["ReservedCpuCores"] = null },
        ["Memory"] = new JsonObject { ["MemoryMB"] = node.ReservedMemoryMB },
        ["Disk"] = new JsonObject { ["DiskMB"] = 0 },
        ["Networks"] = new JsonObject { ["ReservedHostPorts"] = "" },
    };

    private static JsonObject Drivers(DateTimeOffset since) => new()
    {
        ["docker"] = new JsonObject
        {
            ["Attributes"] = new JsonObject { ["driver.docker"] = "true", ["driver.docker.version"] = "27.3.1" },
            ["Detected"] = true, ["Healthy"] = true, ["HealthDescription"] = "Healthy", ["UpdateTime"] = Time(since),
        },
        ["exec"] = new JsonObject
        {
            ["Attributes"] = new JsonObject { ["driver.exec"] = "true" },
            ["Detected"] = true, ["Healthy"] = true, ["HealthDescription"] = "Healthy", ["UpdateTime"] = Time(since),
        },
    };

    private static JsonObject? HostVolumes(SimNode node)
    {
        if (node.HostVolumes.Count == 0)
        {
            return null;
        }

        var obj = new JsonObject();
        foreach (var (name, path) in node.HostVolumes)
        {
            obj[name] = new JsonObject { ["Name"] = name, ["Path"] = path, ["ReadOnly"] = false, ["ID"] = "" };
        }

        return obj;
    }

    public static JsonNode? DrainStrategy(SimDrainStrategy? drain) => drain is null ? null : new JsonObject
    {
        ["Deadline"] = drain.DeadlineNs,
        ["IgnoreSystemJobs"] = drain.IgnoreSystemJobs,
        ["ForceDeadline"] = Time(drain.ForceDeadline),
        ["StartedAt"] = Time(drain.StartedAt),
    };

    public static JsonNode? LastDrain(SimLastDrain? last) => last is null ? null : new JsonObject
    {
        ["StartedAt"] = Time(last.StartedAt),
        ["UpdatedAt"] = Time(last.UpdatedAt),
        ["Status"] = last.Status,
        ["AccessorID"] = last.AccessorID,
        ["Meta"] = StringMap(last.Meta),
    };

    public static JsonObject Node(SimNode node)
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(node.StatusUpdatedAt);
        return new JsonObject
        {
            ["ID"] = node.ID,
            ["SecretID"] = "",
            ["Datacenter"] = node.Datacenter,
            ["Name"] = node.Name,
            ["CgroupParent"] = "nomad.slice",
            ["HTTPAddr"] = node.Address + ":4646",
            ["TLSEnabled"] = false,
            ["Attributes"] = StringMap(node.Attributes),
            ["NodeResources"] = NodeResources(node),
            ["ReservedResources"] = ReservedResources(node),
            ["Links"] = new JsonObject(),
            ["Meta"] = StringMap(node.Meta),
            ["NodeClass"] = node.NodeClass,
            ["NodePool"] = node.NodePool,
            ["ComputedClass"] = ComputedClass(node),
            ["DrainStrategy"] = DrainStrategy(node.DrainStrategy),
            ["SchedulingEligibility"] = node.SchedulingEligibility,
            ["Status"] = node.Status,
            ["StatusDescription"] = node.StatusDescription,
            ["StatusUpdatedAt"] = node.StatusUpdatedAt,
            ["IdentitySigningKeyID"] = "",
            ["Events"] = new JsonArray([.. node.Events.Select(e => (JsonNode)new JsonObject
            {
                ["Message"] = e.Message,
                ["Subsystem"] = e.Subsystem,
                ["Details"] = StringMap(e.Details),
                ["Timestamp"] = Time(e.Timestamp),
                ["CreateIndex"] = e.CreateIndex,
            })]),
            ["Drivers"] = Drivers(created),
            ["HostVolumes"] = HostVolumes(node),
            ["GCVolumesOnNodeGC"] = false,
            ["HostNetworks"] = null,
            ["CSIControllerPlugins"] = null,
            ["CSINodePlugins"] = null,
            ["LastDrain"] = LastDrain(node.LastDrain),
            ["NodeMaxAllocs"] = 0,
            ["LastMissedHeartbeatIndex"] = 0,
            ["LastAllocUpdateIndex"] = 0,
            ["CreateIndex"] = node.CreateIndex,
            ["ModifyIndex"] = node.ModifyIndex,
            ["Drain"] = node.DrainStrategy is not null,
        };
    }

    /// <summary>A stable "v1:&lt;hash&gt;" of the scheduling-relevant fields (FNV-1a; Nomad hashes more fields, the
    /// form and stability are what matter).</summary>
    private static string ComputedClass(SimNode node)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in $"{node.Datacenter}|{node.NodeClass}|{node.NodePool}|{node.CpuShares}|{node.MemoryMB}")
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return "v1:" + hash.ToString(CultureInfo.InvariantCulture);
    }

    public static JsonObject NodeStub(SimNode node, bool resources, bool os)
    {
        var stub = new JsonObject
        {
            ["Address"] = node.Address,
            ["ID"] = node.ID,
        };
        if (os)
        {
            stub["Attributes"] = new JsonObject { ["os.name"] = node.Attributes.GetValueOrDefault("os.name", "") };
        }

        stub["Datacenter"] = node.Datacenter;
        stub["Name"] = node.Name;
        stub["NodeClass"] = node.NodeClass;
        stub["NodePool"] = node.NodePool;
        stub["Version"] = node.Attributes.GetValueOrDefault("nomad.version", NomadVersion.Version);
        stub["Drain"] = node.DrainStrategy is not null;
        stub["SchedulingEligibility"] = node.SchedulingEligibility;
        stub["Status"] = node.Status;
        stub["StatusDescription"] = node.StatusDescription;
        stub["Drivers"] = Drivers(DateTimeOffset.FromUnixTimeSeconds(node.StatusUpdatedAt));
        stub["HostVolumes"] = HostVolumes(node);
        if (resources)
        {
            stub["NodeResources"] = NodeResources(node);
            stub["ReservedResources"] = ReservedResources(node);
        }

        stub["LastDrain"] = LastDrain(node.LastDrain);
        stub["CreateIndex"] = node.CreateIndex;
        stub["ModifyIndex"] = node.ModifyIndex;
        return stub;
    }
}
