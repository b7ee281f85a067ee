using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>The plugin rejected its configuration (gRPC <c>INVALID_ARGUMENT</c>), with one violation per bad key when the plugin said which.</summary>
internal sealed class PluginInvalidConfigException : PluginException
{
    public PluginInvalidConfigException(string pluginName, PluginKind kind, string message, IReadOnlyList<ConfigViolation> violations, Exception? innerException = null)
        : base(pluginName, kind, message, Grpc.Core.StatusCode.InvalidArgument, innerException)
        => Violations = violations;

    public PluginInvalidConfigException() : this(string.Empty, default, "invalid configuration", []) { }

    public PluginInvalidConfigException(string message) : this(string.Empty, default, message, []) { }

    public PluginInvalidConfigException(string message, Exception innerException) : this(string.Empty, default, message, [], innerException) { }

    public IReadOnlyList<ConfigViolation> Violations { get; }
}
