namespace NomadAutoscaler.Nomad;

/// <summary>A placement constraint, e.g. <c>${node.class} = worker</c>.</summary>
public sealed record Constraint
{
    /// <summary>Left side, e.g. <c>${node.class}</c>.</summary>
    public string LTarget { get; init; } = "";

    /// <summary>Right side.</summary>
    public string RTarget { get; init; } = "";

    /// <summary>Operator, e.g. <c>=</c>, <c>!=</c>, <c>regexp</c>.</summary>
    public string Operand { get; init; } = "";
}
