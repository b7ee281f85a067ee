using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Logging;

/// <summary>Logs in hclog's text or JSON format (<c>log_json</c>), as upstream's agent does, to one writer, stderr by
/// default.</summary>
[ProviderAlias("Hclog")]
internal sealed class HclogLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, HclogLogger> _loggers = new(StringComparer.Ordinal);
    private readonly HclogWriter _writer;

    public HclogLoggerProvider(HclogOptions options, TextWriter? output = null)
        => _writer = new HclogWriter(output ?? Console.Error, options);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new HclogLogger(name, _writer));

    public void Dispose() => _loggers.Clear();
}
