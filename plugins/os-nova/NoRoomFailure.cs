namespace NomadAutoscaler.Plugins.OsNova;

/// <summary>Nova had no room for a server: a quota refusal, or a server in ERROR with "No valid host was found".
/// Another flavor or zone may have room, unlike for other failures.</summary>
internal sealed class NoRoomFailure : Exception
{
    public NoRoomFailure() { }

    public NoRoomFailure(string message) : base(message) { }

    public NoRoomFailure(string message, Exception innerException) : base(message, innerException) { }

    public NoRoomFailure(bool isQuota, string message) : base(message) => IsQuota = isQuota;

    /// <summary>True for a quota (project-wide: no zone helps); false for no valid host (another zone may).</summary>
    public bool IsQuota { get; }
}
