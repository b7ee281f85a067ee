using System.Collections;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>A filter's view of one server object. A field is read only when the expression selects it, so filtering
/// a long list costs what the selectors read instead of a dictionary per object; a plugin that asks every few
/// seconds for one pool's nodes of a large cluster would otherwise pay for the whole cluster each time.</summary>
internal sealed class FieldView<T>(T item, IReadOnlyDictionary<string, Func<T, object?>> fields) : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public IEnumerable<string> Keys => fields.Keys;

    public IEnumerable<object?> Values => fields.Values.Select(read => read(item));

    public int Count => fields.Count;

    public bool ContainsKey(string key) => fields.ContainsKey(key);

    public bool TryGetValue(string key, out object? value)
    {
        if (fields.TryGetValue(key, out var read))
        {
            value = read(item);
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        fields.Select(entry => new KeyValuePair<string, object?>(entry.Key, entry.Value(item))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
