namespace NomadAutoscaler.OpenStack;

/// <summary>A Nova server as listed by <c>GET /servers/detail</c>.</summary>
/// <param name="Id">Server UUID.</param>
/// <param name="Name">Server name.</param>
/// <param name="Status">Nova status (<c>BUILD</c>, <c>ACTIVE</c>, <c>ERROR</c>, <c>SHUTOFF</c>, ...).</param>
/// <param name="AvailabilityZone"><c>OS-EXT-AZ:availability_zone</c> (empty until scheduled).</param>
/// <param name="Tags">Server tags (microversion ≥ 2.26).</param>
/// <param name="Metadata">Server metadata.</param>
public sealed record NovaServer(string Id, string Name, string Status, string AvailabilityZone,
    IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary><c>OS-EXT-STS:task_state</c>, e.g. <c>deleting</c>.</summary>
    public string? TaskState { get; init; }

    /// <summary>The fault message of a server in ERROR.</summary>
    public string? Fault { get; init; }

    /// <summary>Creation time.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <summary><c>OS-SRV-USG:launched_at</c>: when the server first became ACTIVE (null before).</summary>
    public DateTimeOffset? LaunchedAt { get; init; }

    /// <summary>The flavor's name as embedded in the server (microversion ≥ 2.47: <c>flavor.original_name</c>).</summary>
    public string? FlavorName { get; init; }

    /// <summary>The flavor's vCPUs as embedded in the server (0 when Nova did not say).</summary>
    public int Vcpus { get; init; }

    /// <summary>The flavor's RAM in MiB as embedded in the server (0 when Nova did not say).</summary>
    public long RamMB { get; init; }

    /// <summary>Fixed and floating addresses per network name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Addresses { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}
