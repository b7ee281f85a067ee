namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Thrown by a target when a scale request needed no change. It travels as gRPC <c>ABORTED</c>,
/// which the agent does not count as a failure and which starts no cooldown.</summary>
public sealed class ScalingNoOpException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScalingNoOpException() : this("scaling not needed") { }

    /// <summary>Creates the exception with a reason.</summary>
    public ScalingNoOpException(string message) : base(message) { }

    /// <summary>Creates the exception with a reason and a cause.</summary>
    public ScalingNoOpException(string message, Exception innerException) : base(message, innerException) { }
}
