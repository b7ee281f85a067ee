using System.Collections;
using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Plugins.Strategies;

/// <summary>Upstream's <c>logger.Trace("message", "key", value, ...)</c>: a fixed message plus ordered pairs, so the
/// host's hclog output shows <c>calculated scaling strategy results: check_name=... current_count=...</c>.</summary>
internal static class StrategyLog
{
    public static void Trace(this ILogger logger, string message, params (string Key, object? Value)[] pairs)
    {
        if (!logger.IsEnabled(LogLevel.Trace)) return;
        logger.Log(LogLevel.Trace, default, new PairsState(message, pairs), null, static (state, _) => state.Message);
    }

    /// <summary>State whose pairs structured providers read directly; message templates are never parsed.</summary>
    internal sealed class PairsState(string message, (string Key, object? Value)[] pairs) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public int Count => pairs.Length;

        public KeyValuePair<string, object?> this[int index] => new(pairs[index].Key, pairs[index].Value);

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            foreach (var (key, value) in pairs) yield return new(key, value);
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}
