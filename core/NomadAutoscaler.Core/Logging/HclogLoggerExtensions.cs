using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Logging;

/// <summary>hclog-style calls: <c>logger.Hclog(LogLevel.Information, "scaling target", ("id", id), ("from", 0))</c>
/// prints <c>... scaling target: id=... from=0</c>. Message templates are not parsed, so braces in messages are safe.</summary>
internal static class HclogLoggerExtensions
{
    public static void Hclog(this ILogger logger, LogLevel level, string message, params (string Key, object? Value)[] pairs)
        => Hclog(logger, level, null, message, pairs);

    public static void Hclog(this ILogger logger, LogLevel level, Exception? exception, string message, params (string Key, object? Value)[] pairs)
    {
        if (!logger.IsEnabled(level)) return;
        var kvs = new KeyValuePair<string, object?>[pairs.Length];
        for (var i = 0; i < pairs.Length; i++) kvs[i] = new(pairs[i].Key, pairs[i].Value);
        logger.Log(level, default, new HclogState(message, kvs), exception, HclogState.Format);
    }
}
