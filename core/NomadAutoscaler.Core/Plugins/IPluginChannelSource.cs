using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Plugins;

/// <summary>Hands the gRPC clients the current connection of a supervised plugin, or throws
/// <see cref="PluginUnavailableException"/> while it is restarting.</summary>
internal interface IPluginChannelSource
{
    string Name { get; }

    PluginKind Kind { get; }

    (CallInvoker Invoker, CancellationToken Lifetime) Acquire();
}
