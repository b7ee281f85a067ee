namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The direction of a scaling action.</summary>
public enum ScalingDirection
{
    /// <summary>No change is wanted.</summary>
    None = 1,

    /// <summary>Fewer instances are wanted.</summary>
    Down = 2,

    /// <summary>More instances are wanted.</summary>
    Up = 3,
}
