namespace NomadAutoscaler.Hcl;

/// <summary>An expected attribute of a body.</summary>
public sealed record HclAttributeSchema(string Name, bool Required = false);
