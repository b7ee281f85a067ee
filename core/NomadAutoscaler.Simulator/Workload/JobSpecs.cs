using System.Text.Json.Nodes;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Workload;

/// <summary>Builds small jobs in the Nomad API JSON form, as <c>nomad job run -output</c> would print them.</summary>
internal static class JobSpecs
{
    public static JsonObject Simple(
        string id, string ns = "default", string type = "service", string? group = null, int count = 1, int cpu = 500, int memoryMB = 256,
        string? nodeClass = null, string datacenter = "*", string nodePool = "default", long? min = null, long? max = null, double target = 70)
    {
        group ??= id;
        var taskGroup = new JsonObject
        {
            ["Name"] = group,
            ["Count"] = count,
            ["Tasks"] = new JsonArray(new JsonObject
            {
                ["Name"] = group,
                ["Driver"] = "docker",
                ["Config"] = new JsonObject { ["image"] = "busybox:1.36", ["command"] = "httpd", ["args"] = new JsonArray("-f") },
                ["Resources"] = new JsonObject { ["CPU"] = cpu, ["MemoryMB"] = memoryMB },
            }),
        };
        if (max is not null)
        {
            taskGroup["Scaling"] = new JsonObject
            {
                ["Min"] = min ?? count,
                ["Max"] = max,
                ["Enabled"] = true,
                ["Policy"] = TargetValuePolicy("avg_cpu", target),
            };
        }

        var job = new JsonObject
        {
            ["ID"] = id,
            ["Name"] = id,
            ["Namespace"] = ns,
            ["Type"] = type,
            ["Datacenters"] = new JsonArray(datacenter),
            ["NodePool"] = nodePool,
            ["TaskGroups"] = new JsonArray(taskGroup),
        };
        if (!string.IsNullOrEmpty(nodeClass))
        {
            job["Constraints"] = new JsonArray(new JsonObject { ["LTarget"] = "${node.class}", ["RTarget"] = nodeClass, ["Operand"] = "=" });
        }

        return new JsonObject { ["Job"] = job };
    }

    /// <summary>A <c>policy {}</c> block in Nomad's HCL-to-JSON shape: blocks as lists of one-key maps.</summary>
    public static JsonObject TargetValuePolicy(string query, double target) => new()
    {
        ["cooldown"] = "20s",
        ["evaluation_interval"] = "5s",
        ["check"] = new JsonArray(new JsonObject
        {
            [query] = new JsonArray(new JsonObject
            {
                ["source"] = "nomad-apm",
                ["query"] = query,
                ["strategy"] = new JsonArray(new JsonObject
                {
                    ["target-value"] = new JsonArray(new JsonObject { ["target"] = JobParser.GoFloat(target) }),
                }),
            }),
        }),
    };
}
