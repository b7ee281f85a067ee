namespace NomadAutoscaler.Hcl;

/// <summary>Thrown by callers that prefer exceptions; carries every diagnostic, the message lists them all.</summary>
public sealed class HclException : Exception
{
    public HclException()
        : this(new HclDiagnostics())
    {
    }

    public HclException(string message)
        : base(message)
    {
        Diagnostics = new HclDiagnostics();
    }

    public HclException(string message, Exception innerException)
        : base(message, innerException)
    {
        Diagnostics = new HclDiagnostics();
    }

    public HclException(HclDiagnostics diagnostics)
        : base(Render(diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public HclDiagnostics Diagnostics { get; }

    private static string Render(HclDiagnostics diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == HclSeverity.Error).Select(d => d.Message).ToList();
        return errors.Count switch
        {
            0 => "no HCL errors",
            1 => errors[0],
            _ => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{errors.Count} problems:\n- ") + string.Join("\n- ", errors),
        };
    }
}
