namespace NomadAutoscaler.Nomad;

/// <summary>Body of <c>PUT /v1/node/:id/drain</c>.</summary>
internal sealed record NodeDrainRequest(string NodeID, DrainSpec? DrainSpec, bool MarkEligible, IReadOnlyDictionary<string, string>? Meta);

/// <summary>Body of <c>PUT /v1/node/:id/eligibility</c>.</summary>
internal sealed record NodeEligibilityRequest(string NodeID, string Eligibility);
