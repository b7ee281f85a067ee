namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The three kinds of nomad-autoscaler plugin.</summary>
public enum PluginKind
{
    /// <summary>Reads metrics (an application performance monitoring source).</summary>
    Apm = 1,

    /// <summary>Turns metrics into a desired count.</summary>
    Strategy = 2,

    /// <summary>Reads and changes the count of something scalable.</summary>
    Target = 3,
}
