namespace NomadAutoscaler.Nomad;

/// <summary>Allocation status rules shared by the helpers.</summary>
public static class AllocationStatus
{
    /// <summary>Server-terminal (<c>stop</c>/<c>evict</c>) or client-terminal (<c>complete</c>/<c>failed</c>/<c>lost</c>).</summary>
    public static bool IsTerminal(string desiredStatus, string clientStatus)
        => desiredStatus is "stop" or "evict" || IsClientTerminal(clientStatus);

    /// <summary>The client reports the allocation finished: <c>complete</c>, <c>failed</c> or <c>lost</c>.</summary>
    public static bool IsClientTerminal(string clientStatus) => clientStatus is "complete" or "failed" or "lost";
}
