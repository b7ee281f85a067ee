using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

/// <summary>The simulated cluster the scale-in tests share (also compiled into the end-to-end tests): nodes of 1000 MHz
/// with a <c>slot</c> meta value, and one-allocation jobs placed by a <c>${meta.slot}</c> regexp.</summary>
internal static class ScaleInWorkload
{
    public static SimulatorNodeSpec Node(string id, string name, string nodeClass, string slot)
        => new() { Id = id, Name = name, NodeClass = nodeClass, Cpu = 1000, MemoryMB = 8192, Meta = new Dictionary<string, string> { ["slot"] = slot } };

    public static string Job(string id, string type, int cpu, string slotPattern, Dictionary<string, string>? meta = null)
    {
        var job = new JsonObject
        {
            ["ID"] = id,
            ["Name"] = id,
            ["Type"] = type,
            ["Datacenters"] = new JsonArray("*"),
            ["Constraints"] = new JsonArray(new JsonObject { ["LTarget"] = "${meta.slot}", ["RTarget"] = slotPattern, ["Operand"] = "regexp" }),
            ["TaskGroups"] = new JsonArray(new JsonObject
            {
                ["Name"] = id,
                ["Count"] = 1,
                ["Tasks"] = new JsonArray(new JsonObject { ["Name"] = id, ["Driver"] = "docker", ["Resources"] = new JsonObject { ["CPU"] = cpu, ["MemoryMB"] = 128 } }),
            }),
        };
        if (meta is not null) job["Meta"] = new JsonObject(meta.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        return new JsonObject { ["Job"] = job }.ToJsonString();
    }
}
