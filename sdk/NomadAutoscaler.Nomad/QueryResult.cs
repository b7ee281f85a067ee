namespace NomadAutoscaler.Nomad;

/// <summary>A read's body with its index headers.</summary>
/// <typeparam name="T">The body type.</typeparam>
/// <param name="Value">The decoded body.</param>
/// <param name="Meta">The index headers.</param>
public sealed record QueryResult<T>(T Value, QueryMeta Meta);
