using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Plugins.InProcess;

/// <summary>Gives every logger an in-process plugin asks for the one hclog name <c>internal_plugin.&lt;id&gt;</c>, as upstream's built-ins log.</summary>
internal sealed class NamedLoggerFactory(ILoggerFactory inner, string name) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public ILogger CreateLogger(string categoryName) => inner.CreateLogger(name);

    // The agent owns the inner factory.
    public void Dispose()
    {
    }
}
