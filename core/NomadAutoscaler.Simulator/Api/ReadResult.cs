using System.Text.Json.Nodes;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>One evaluation of a blocking read: the index it reports and either a JSON body or a Nomad error.</summary>
internal sealed record ReadResult(ulong Index, JsonNode? Body, int StatusCode = 200, string? Error = null)
{
    /// <summary>The <c>X-Nomad-NextToken</c> of a paged list, when another page exists.</summary>
    public string? NextToken { get; init; }

    public static ReadResult NotFound(ulong index, string message) => new(index, null, 404, message);
}
