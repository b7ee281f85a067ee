using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace NomadAutoscaler.Nomad;

// Source-generated so that plugins stay trimming- and Native-AOT-clean. Go names are PascalCase already, so no
// naming policy; nulls are written because Nomad reads an explicit null Count as "record an event only".
[JsonSourceGenerationOptions(JsonSerializerDefaults.General, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(List<NodeListStub>))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(List<Allocation>))]
[JsonSerializable(typeof(Allocation))]
[JsonSerializable(typeof(List<AllocationListStub>))]
[JsonSerializable(typeof(NodeDrainRequest))]
[JsonSerializable(typeof(NodeEligibilityRequest))]
[JsonSerializable(typeof(NodeUpdateResponse))]
[JsonSerializable(typeof(List<JobListStub>))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(JobScaleStatus))]
[JsonSerializable(typeof(ScalingRequest))]
[JsonSerializable(typeof(JobRegisterResponse))]
[JsonSerializable(typeof(List<ScalingPolicyListStub>))]
[JsonSerializable(typeof(ScalingPolicy))]
[JsonSerializable(typeof(AllocationResourceUsage))]
[JsonSerializable(typeof(MetricsSummary))]
[JsonSerializable(typeof(Variable))]
[JsonSerializable(typeof(List<Deployment>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class NomadJsonContext : JsonSerializerContext;
