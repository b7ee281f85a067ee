namespace NomadAutoscaler.Hcl;

/// <summary>Thrown by a function implementation to report a bad argument; becomes an "Invalid function argument" diagnostic.</summary>
public sealed class HclFunctionException : Exception
{
    public HclFunctionException()
    {
    }

    public HclFunctionException(string message)
        : base(message)
    {
    }

    public HclFunctionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HclFunctionException(int argumentIndex, string message)
        : base(message)
    {
        ArgumentIndex = argumentIndex;
    }

    /// <summary>Zero-based index of the offending argument, when one is to blame.</summary>
    public int? ArgumentIndex { get; }
}
