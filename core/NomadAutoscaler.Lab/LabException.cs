namespace NomadAutoscaler.Lab;

/// <summary>Input the lab cannot run: the message names the file, line and column, or the key, and what to change.</summary>
public sealed class LabException : Exception
{
    public LabException()
    {
    }

    public LabException(string message)
        : base(message)
    {
    }

    public LabException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
