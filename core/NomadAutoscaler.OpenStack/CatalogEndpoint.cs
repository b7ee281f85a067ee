namespace NomadAutoscaler.OpenStack;

/// <summary>One catalog endpoint.</summary>
/// <param name="ServiceType">For example <c>compute</c>.</param>
/// <param name="Region">Region ID.</param>
/// <param name="Interface"><c>public</c>, <c>internal</c> or <c>admin</c>.</param>
/// <param name="Url">Base URL.</param>
public sealed record CatalogEndpoint(string ServiceType, string Region, string Interface, Uri Url);
