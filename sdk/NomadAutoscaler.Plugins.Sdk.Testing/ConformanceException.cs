namespace NomadAutoscaler.Plugins.Sdk.Testing;

/// <summary>Thrown by <see cref="ConformanceReport.ThrowIfFailed"/>; its message lists every check.</summary>
public sealed class ConformanceException : Exception
{
    /// <summary>Creates the exception for a failed report.</summary>
    public ConformanceException(ConformanceReport report)
        : base(report?.ToString()) => Report = report;

    /// <summary>Creates the exception with a message only.</summary>
    public ConformanceException() : base("plugin conformance failed") { }

    /// <summary>Creates the exception with a message only.</summary>
    public ConformanceException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ConformanceException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The failed report, when there is one.</summary>
    public ConformanceReport? Report { get; }
}
