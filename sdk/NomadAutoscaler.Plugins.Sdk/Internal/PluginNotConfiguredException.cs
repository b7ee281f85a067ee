namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>A plugin method was called before SetConfig succeeded. Travels as gRPC FAILED_PRECONDITION.</summary>
internal sealed class PluginNotConfiguredException(string pluginName)
    : InvalidOperationException($"plugin {pluginName} is not configured: SetConfig must succeed before other calls");
