namespace NomadAutoscaler.Core.Plugins;

/// <summary>How a plugin block is loaded. HCL: <c>mode = "external"</c> (default) or <c>mode = "in-process"</c> inside the block.</summary>
internal enum PluginLoadMode
{
    /// <summary>A child process speaking go-plugin gRPC (any language).</summary>
    External = 0,

    /// <summary>A .NET SDK plugin assembly loaded into the agent in an isolated load context.</summary>
    InProcess = 1,
}
