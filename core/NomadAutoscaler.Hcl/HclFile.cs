namespace NomadAutoscaler.Hcl;

/// <summary>The result of parsing one file: its body (possibly partial) and every diagnostic found.</summary>
public sealed class HclFile
{
    internal HclFile(string fileName, HclBody body, HclDiagnostics diagnostics, bool isJson)
    {
        FileName = fileName;
        Body = body;
        Diagnostics = diagnostics;
        IsJson = isJson;
    }

    public string FileName { get; }

    /// <summary>The top-level body. Present even when there are errors (containing what could be recovered).</summary>
    public HclBody Body { get; }

    public HclDiagnostics Diagnostics { get; }

    public bool IsJson { get; }

    public bool HasErrors => Diagnostics.HasErrors;
}
