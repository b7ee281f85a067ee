using NomadAutoscaler.OpenStack;

namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>The pool's servers as Nova lists them, sorted into what counts and what does not.</summary>
internal sealed record PoolSnapshot
{
    /// <summary>Statuses in which a server is on its way somewhere: the pool is not ready while one is in them.</summary>
    public static readonly string[] TransitionalStates =
        ["BUILD", "REBOOT", "HARD_REBOOT", "REBUILD", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE", "MIGRATING", "PASSWORD"];

    /// <summary>Servers that count toward the pool (not ignored, not in ERROR, not being deleted).</summary>
    public required IReadOnlyList<NovaServer> Counted { get; init; }

    /// <summary>Servers in ERROR (unless ignored): they are deleted, never counted.</summary>
    public required IReadOnlyList<NovaServer> Failed { get; init; }

    /// <summary>Servers whose deletion is under way.</summary>
    public required IReadOnlyList<NovaServer> Deleting { get; init; }

    /// <summary>Servers in an <c>ignored_states</c> status.</summary>
    public required IReadOnlyList<NovaServer> Ignored { get; init; }

    /// <summary>True when no counted server is in a transitional status.</summary>
    public bool Settled => Counted.All(s => !TransitionalStates.Contains(s.Status, StringComparer.Ordinal) && string.IsNullOrEmpty(s.TaskState));

    public static PoolSnapshot From(IReadOnlyList<NovaServer> servers, IReadOnlySet<string> ignoredStates)
    {
        var counted = new List<NovaServer>();
        var failed = new List<NovaServer>();
        var deleting = new List<NovaServer>();
        var ignored = new List<NovaServer>();
        foreach (var server in servers)
        {
            if (ignoredStates.Contains(server.Status)) ignored.Add(server);
            else if (server.Status is "DELETED" or "SOFT_DELETED" || server.TaskState == "deleting") deleting.Add(server);
            else if (server.Status == "ERROR") failed.Add(server);
            else counted.Add(server);
        }

        return new PoolSnapshot { Counted = counted, Failed = failed, Deleting = deleting, Ignored = ignored };
    }
}
