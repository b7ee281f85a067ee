using System.Collections;

namespace NomadAutoscaler.Plugins.Sdk.Logging;

/// <summary>A log entry in hclog's shape: a fixed message plus ordered key/value pairs.
/// The hclog formatter prints the pairs after the message; other providers see them as structured state.</summary>
internal sealed class HclogState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly KeyValuePair<string, object?>[] _pairs;

    public HclogState(string message, KeyValuePair<string, object?>[] pairs)
    {
        Message = message;
        _pairs = pairs;
    }

    public string Message { get; }

    public int Count => _pairs.Length;

    public KeyValuePair<string, object?> this[int index] => _pairs[index];

    public static string Format(HclogState state, Exception? exception) => state.Message;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Message;
}
