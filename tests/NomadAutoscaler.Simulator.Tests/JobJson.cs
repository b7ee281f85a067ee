using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>Jobs in the Nomad API JSON form for tests.</summary>
internal static class JobJson
{
    public static string Service(
        string id, string group = "cache", string task = "redis", int count = 1, int cpu = 500, int memoryMB = 256,
        string type = "service", string? nodeClass = null, long? min = null, long? max = null, string ns = "default",
        JsonObject? meta = null, JsonArray? extraConstraints = null)
    {
        var constraints = new JsonArray();
        if (nodeClass is not null)
        {
            constraints.Add(new JsonObject { ["LTarget"] = "${node.class}", ["RTarget"] = nodeClass, ["Operand"] = "=" });
        }

        foreach (var c in extraConstraints ?? [])
        {
            constraints.Add(c!.DeepClone());
        }

        var taskGroup = new JsonObject
        {
            ["Name"] = group,
            ["Count"] = count,
            ["Tasks"] = new JsonArray(new JsonObject
            {
                ["Name"] = task,
                ["Driver"] = "docker",
                ["Config"] = new JsonObject { ["image"] = "redis:7" },
                ["Resources"] = new JsonObject { ["CPU"] = cpu, ["MemoryMB"] = memoryMB },
            }),
        };
        if (max is not null)
        {
            taskGroup["Scaling"] = new JsonObject
            {
                ["Min"] = min,
                ["Max"] = max,
                ["Policy"] = new JsonObject
                {
                    ["cooldown"] = "1m",
                    ["check"] = new JsonArray(new JsonObject
                    {
                        ["avg_cpu"] = new JsonArray(new JsonObject
                        {
                            ["source"] = "nomad-apm",
                            ["query"] = "avg_cpu",
                            ["strategy"] = new JsonArray(new JsonObject { ["target-value"] = new JsonArray(new JsonObject { ["target"] = 70 }) }),
                        }),
                    }),
                },
            };
        }

        return new JsonObject
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = id,
                ["Name"] = id,
                ["Namespace"] = ns,
                ["Type"] = type,
                ["Datacenters"] = new JsonArray("dc1"),
                ["Constraints"] = constraints.Count == 0 ? null : constraints,
                ["Meta"] = meta,
                ["TaskGroups"] = new JsonArray(taskGroup),
            },
        }.ToJsonString();
    }
}
