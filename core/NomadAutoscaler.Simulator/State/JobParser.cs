using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.State;

/// <summary>
/// Reads a job in the Nomad API JSON form (what <c>nomad job run -output</c> prints and <c>POST /v1/jobs</c>
/// takes). Like Go's encoding/json, field names match case-insensitively and unknown fields are ignored.
/// </summary>
internal static class JobParser
{
    public static SimJob Parse(JsonNode? root, string defaultNamespace, string region)
    {
        if (root is not JsonObject)
        {
            throw new NomadError(400, "Request body is empty");
        }

        // Work on parsed JSON only: nodes built in code hold CLR values (an int is not readable as a double).
        var obj = JsonNode.Parse(root.ToJsonString())!.AsObject();

        if (Get(obj, "Job") is JsonObject wrapped)
        {
            obj = wrapped;
        }

        var id = GetString(obj, "ID");
        if (string.IsNullOrEmpty(id))
        {
            throw new NomadError(500, "1 error occurred:\n\t* Missing job ID\n\n");
        }

        var ns = GetString(obj, "Namespace");
        var job = new SimJob
        {
            ID = id,
            Namespace = string.IsNullOrEmpty(ns) ? defaultNamespace : ns,
            Name = GetString(obj, "Name") is { Length: > 0 } name ? name : id,
            Type = GetString(obj, "Type") is { Length: > 0 } type ? type : "service",
            Region = GetString(obj, "Region") is { Length: > 0 } r ? r : region,
            Priority = (int)(GetLong(obj, "Priority") ?? 50),
            NodePool = GetString(obj, "NodePool") is { Length: > 0 } pool ? pool : "default",
            Constraints = ParseConstraints(Get(obj, "Constraints")),
            Meta = ParseStringMap(Get(obj, "Meta")),
            Periodic = Get(obj, "Periodic") is JsonObject,
            Parameterized = Get(obj, "ParameterizedJob") is JsonObject,
        };
        if (Get(obj, "Datacenters") is JsonArray dcs && dcs.Count > 0)
        {
            job.Datacenters = [.. dcs.Select(d => d?.GetValue<string>() ?? "")];
        }

        if (job.Type is not ("service" or "batch" or "system" or "sysbatch"))
        {
            throw new NomadError(500, $"1 error occurred:\n\t* Invalid job type: \"{job.Type}\"\n\n");
        }

        if (Get(obj, "TaskGroups") is not JsonArray groups || groups.Count == 0)
        {
            throw new NomadError(500, "1 error occurred:\n\t* Missing job task groups\n\n");
        }

        foreach (var groupNode in groups)
        {
            if (groupNode is not JsonObject g)
            {
                continue;
            }

            var group = new SimTaskGroup
            {
                Name = GetString(g, "Name") ?? "",
                Count = (int)(GetLong(g, "Count") ?? 1),
                Constraints = ParseConstraints(Get(g, "Constraints")),
                Meta = ParseStringMap(Get(g, "Meta")),
            };
            if (Get(g, "EphemeralDisk") is JsonObject disk && GetLong(disk, "SizeMB") is { } size)
            {
                group.EphemeralDiskMB = (int)size;
            }

            if (Get(g, "Tasks") is JsonArray tasks)
            {
                foreach (var taskNode in tasks.OfType<JsonObject>())
                {
                    var resources = Get(taskNode, "Resources") as JsonObject;
                    group.Tasks.Add(new SimTask
                    {
                        Name = GetString(taskNode, "Name") ?? "",
                        Driver = GetString(taskNode, "Driver") ?? "docker",
                        Cpu = (int)(resources is null ? 100 : GetLong(resources, "CPU") ?? 100),
                        MemoryMB = (int)(resources is null ? 300 : GetLong(resources, "MemoryMB") ?? 300),
                        Constraints = ParseConstraints(Get(taskNode, "Constraints")),
                        Config = Get(taskNode, "Config")?.DeepClone() as JsonObject,
                        Meta = ParseStringMap(Get(taskNode, "Meta")),
                    });
                }
            }

            if (Get(g, "Scaling") is JsonObject scaling)
            {
                group.Scaling = new SimScaling
                {
                    Min = GetLong(scaling, "Min"),
                    Max = GetLong(scaling, "Max") ?? throw new NomadError(500, $"1 error occurred:\n\t* Task group {group.Name} validation failed: 1 error occurred:\n\t* Scaling policy invalid: maximum count must be specified\n\n"),
                    Enabled = Get(scaling, "Enabled") is not JsonValue enabled || enabled.GetValueKind() != JsonValueKind.False,
                    Type = GetString(scaling, "Type") is { Length: > 0 } st ? st : "horizontal",
                    Policy = NormalizeNumbers(Get(scaling, "Policy")) as JsonObject,
                };
            }

            if (group.Tasks.Count == 0)
            {
                throw new NomadError(500, $"1 error occurred:\n\t* Task group {group.Name} validation failed: 1 error occurred:\n\t* Missing tasks for task group\n\n");
            }

            job.TaskGroups.Add(group);
        }

        foreach (var group in job.TaskGroups)
        {
            if (group.Scaling is { } s)
            {
                var min = s.Min ?? group.Count;
                if (min > s.Max)
                {
                    throw new NomadError(500, $"1 error occurred:\n\t* Task group {group.Name} validation failed: 1 error occurred:\n\t* Scaling policy invalid: maximum count must not be less than minimum count\n\n");
                }

                if (group.Count < min || group.Count > s.Max)
                {
                    throw new NomadError(500, $"1 error occurred:\n\t* Task group {group.Name} validation failed: 1 error occurred:\n\t* Scaling policy invalid: task group count must not be {(group.Count < min ? "less than minimum count in scaling policy" : "greater than maximum count in scaling policy")}\n\n");
                }
            }
        }

        return job;
    }

    public static JsonNode? Get(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static string? GetString(JsonObject obj, string name) =>
        Get(obj, name) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? GetLong(JsonObject obj, string name)
    {
        if (Get(obj, name) is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        return v.TryGetValue<long>(out var l) ? l : (long)v.GetValue<double>();
    }

    public static bool GetBool(JsonObject obj, string name) =>
        Get(obj, name) is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public static Dictionary<string, string>? ParseStringMap(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            map[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
        }

        return map;
    }

    /// <summary>Policy values travel as Go <c>interface{}</c>: every JSON number becomes a float64, written as <c>70.0</c>.</summary>
    public static JsonNode? NormalizeNumbers(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, NormalizeNumbers(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(NormalizeNumbers)]),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoFloat(v.GetValue<double>()),
        _ => node.DeepClone(),
    };

    /// <summary>A float64 as Go's JSON encoder writes it: whole numbers keep a <c>.0</c>.</summary>
    public static JsonNode GoFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        if (double.IsFinite(value) && Math.Abs(value) < 1e21 && !text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.Ordinal))
        {
            text += ".0";
        }

        return JsonNode.Parse(text)!;
    }

    private static List<SimConstraint> ParseConstraints(JsonNode? node)
    {
        var list = new List<SimConstraint>();
        if (node is JsonArray array)
        {
            foreach (var c in array.OfType<JsonObject>())
            {
                list.Add(new SimConstraint(GetString(c, "LTarget") ?? "", GetString(c, "RTarget") ?? "", GetString(c, "Operand") is { Length: > 0 } op ? op : "="));
            }
        }

        return list;
    }
}
