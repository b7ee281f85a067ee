namespace NomadAutoscaler.Hcl;

/// <summary>An expected block type of a body, with the names of its labels (their count is enforced).</summary>
public sealed record HclBlockSchema(string Type, params string[] LabelNames);
