namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Marks an options class whose plugin accepts configuration keys it has no property for.
/// Without it, every unknown key (other than the agent-injected <c>nomad_*</c> keys) is a configuration error.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class AllowUnknownKeysAttribute : Attribute
{
}
