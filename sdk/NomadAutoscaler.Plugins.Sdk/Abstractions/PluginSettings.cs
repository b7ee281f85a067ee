using System.Collections;
using System.Globalization;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>A string key/value map from a policy (strategy or target block) with typed, validating getters.
/// Every getter that fails throws <see cref="PluginConfigException"/> naming the key.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1710", Justification = "Settings reads better than SettingsDictionary in plugin code.")]
public sealed class PluginSettings : IReadOnlyDictionary<string, string>
{
    private readonly IReadOnlyDictionary<string, string> _values;

    /// <summary>Wraps a map.</summary>
    public PluginSettings(IReadOnlyDictionary<string, string> values) => _values = values;

    /// <summary>An empty map.</summary>
    public static PluginSettings Empty { get; } = new(new Dictionary<string, string>());

    /// <summary>The value of a key that must be present and non-empty.</summary>
    public string Required(string key)
        => _values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new PluginConfigException(key, "is required");

    /// <summary>The value of a key, or <paramref name="defaultValue"/> when absent or empty.</summary>
    public string? GetString(string key, string? defaultValue = null)
        => _values.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : defaultValue;

    /// <summary>A whole number; absent or empty gives <paramref name="defaultValue"/>.</summary>
    public long? GetInt64(string key, long? defaultValue = null)
    {
        var text = GetString(key);
        if (text is null) return defaultValue;
        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new PluginConfigException(key, $"\"{text}\" is not a whole number");
    }

    /// <summary>A number; absent or empty gives <paramref name="defaultValue"/>.</summary>
    public double? GetDouble(string key, double? defaultValue = null)
    {
        var text = GetString(key);
        if (text is null) return defaultValue;
        return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw new PluginConfigException(key, $"\"{text}\" is not a number");
    }

    /// <summary>A boolean (Go <c>strconv.ParseBool</c> spellings); absent or empty gives <paramref name="defaultValue"/>.</summary>
    public bool? GetBoolean(string key, bool? defaultValue = null)
    {
        var text = GetString(key);
        if (text is null) return defaultValue;
        return GoValues.TryParseBool(text.Trim(), out var value)
            ? value
            : throw new PluginConfigException(key, $"\"{text}\" is not a boolean (use true or false)");
    }

    /// <summary>A Go-syntax duration such as <c>1m30s</c>; absent or empty gives <paramref name="defaultValue"/>.</summary>
    public TimeSpan? GetDuration(string key, TimeSpan? defaultValue = null)
    {
        var text = GetString(key);
        if (text is null) return defaultValue;
        return GoDuration.TryParse(text.Trim(), out var value)
            ? value
            : throw new PluginConfigException(key, $"\"{text}\" is not a duration (for example 30s, 5m, 1h30m)");
    }

    /// <inheritdoc />
    public string this[string key] => _values[key];

    /// <inheritdoc />
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc />
    public int Count => _values.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value)
        => _values.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
