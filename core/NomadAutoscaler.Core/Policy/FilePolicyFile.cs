using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Policy;

/// <summary>What one policy file yielded.</summary>
/// <param name="Path">The file.</param>
/// <param name="FileDiagnostics">Problems that spoil the whole file (syntax errors, unknown top-level items).</param>
/// <param name="Policies">Each <c>scaling</c> block, valid or not, in file order.</param>
public sealed record FilePolicyFile(string Path, IReadOnlyList<HclDiagnostic> FileDiagnostics, IReadOnlyList<FilePolicyResult> Policies)
{
    /// <summary>True when the file could not be decoded at all; none of its policies are used.</summary>
    public bool Broken => FileDiagnostics.Any(d => d.Severity == HclSeverity.Error);

    /// <summary>Every diagnostic of the file and its policies.</summary>
    public IEnumerable<HclDiagnostic> AllDiagnostics => FileDiagnostics.Concat(Policies.SelectMany(p => p.Diagnostics));

    /// <summary>True when nothing in the file is wrong.</summary>
    public bool Valid => !AllDiagnostics.Any(d => d.Severity == HclSeverity.Error);
}

/// <summary>One <c>scaling</c> block of a file.</summary>
/// <param name="Name">Its label.</param>
/// <param name="Policy">The decoded policy with defaults applied; null when it has errors.</param>
/// <param name="Diagnostics">Its decoding and validation problems.</param>
public sealed record FilePolicyResult(string Name, ScalingPolicy? Policy, IReadOnlyList<HclDiagnostic> Diagnostics);
