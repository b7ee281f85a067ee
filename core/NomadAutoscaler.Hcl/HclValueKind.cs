namespace NomadAutoscaler.Hcl;

/// <summary>
/// The kinds of value HCL expressions produce. Sequences are tuples and mappings are objects (cty's list/map/set
/// distinctions are not needed by the autoscaler's configuration).
/// </summary>
public enum HclValueKind
{
    Null,
    Bool,
    Number,
    String,
    Tuple,
    Object,
}
