namespace NomadAutoscaler.Simulator;

/// <summary>A server as a cloud reports it (Nova: <c>id</c>, <c>name</c>, <c>status</c>, <c>tags</c>, <c>metadata</c>).</summary>
/// <param name="Id">The cloud's server ID.</param>
/// <param name="Name">The server name; it becomes the node name and hostname.</param>
/// <param name="Status">Nova status: only <c>ACTIVE</c> servers run a Nomad client.</param>
/// <param name="Tags">Server tags; pool membership is the tag <c>na_pool:&lt;pool&gt;</c>, as os-nova writes it.</param>
/// <param name="Metadata">Server metadata; a <c>na_pool</c> entry also marks membership.</param>
public sealed record CloudServer(
    string Id,
    string Name,
    string Status,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Metadata);
