using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The state of a scalable target.</summary>
/// <param name="Ready">False while the target cannot be scaled (for example during a deployment); the agent then skips the evaluation.</param>
/// <param name="Count">The target's count.</param>
public sealed record TargetStatus(bool Ready, long Count)
{
    /// <summary>Free-form metadata. <see cref="TargetStatusMeta.LastEvent"/> carries the last scale time for cooldowns.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();
}

/// <summary>Well-known keys of <see cref="TargetStatus.Meta"/>.</summary>
public static class TargetStatusMeta
{
    /// <summary>Unix time in nanoseconds of the target's last scaling event; the agent applies cooldown from it.</summary>
    public const string LastEvent = "nomad_autoscaler.last_event";

    /// <summary>Something the target did or refused to do while reading its status (e.g. replaced a broken server),
    /// for the operator: the agent logs it and keeps it in the evaluation's decision history.</summary>
    public const string Notice = "nomad_autoscaler.notice";

    /// <summary>Prefix of a counter the plugin relays to the agent's metrics. A plugin runs in its own process, so its
    /// own meters never reach the agent's sinks; an entry under this prefix does, on every status read.</summary>
    /// <remarks>
    /// <para>Key: <c>nomad_autoscaler.counter.&lt;name&gt;</c>, then for each tag, in ordinal order of the tag keys,
    /// <c>;&lt;key&gt;=&lt;value&gt;</c>. The name is one or more segments of ASCII letters, digits and <c>_</c>,
    /// separated by single dots. A tag key is an ASCII letter or <c>_</c>, then letters, digits and <c>_</c> (a
    /// Prometheus label name), at most once per counter, and neither <c>policy_id</c> nor <c>target_name</c>, which the
    /// agent adds. A tag value is its UTF-8 bytes with ASCII letters, digits, <c>-</c>, <c>.</c>, <c>_</c> and
    /// <c>~</c> kept and every other byte written <c>%XX</c> (upper-case hex), so <c>;</c>, <c>=</c> and <c>%</c> never
    /// appear unescaped. Only this canonical form parses: one counter and tag set has exactly one key.</para>
    /// <para>Value: the count since the plugin process started, a non-negative decimal integer (invariant culture).
    /// Cumulative rather than per-call, so a status read the agent misses (a timeout, a standby agent) loses nothing.</para>
    /// <para>Example: <c>nomad_autoscaler.counter.os_nova.scale_out.fallback_count;flavor=m1.large;pool_name=web;reason=quota;zone=az%201</c>
    /// = <c>3</c>. Write entries with <see cref="SetCounter"/>; the agent reads them with <see cref="TryParseCounterKey"/>
    /// and <see cref="TryParseCounterValue"/>.</para>
    /// </remarks>
    public const string CounterPrefix = "nomad_autoscaler.counter.";

    private const string ReservedPolicyId = "policy_id";
    private const string ReservedTargetName = "target_name";

    // Refuses a lone surrogate, which percent-encoding would turn into U+FFFD: not what the plugin wrote.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The meta key of counter <paramref name="name"/> with <paramref name="tags"/>, in the canonical form of
    /// <see cref="CounterPrefix"/> (tags sorted, values escaped).</summary>
    /// <exception cref="ArgumentException">The name or a tag key breaks the rules of <see cref="CounterPrefix"/>, a tag
    /// key repeats, or a value is not valid UTF-16.</exception>
    public static string CounterKey(string name, params ReadOnlySpan<(string Key, string Value)> tags)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsCounterName(name))
            throw new ArgumentException($"counter name \"{name}\" is not dot-separated segments of ASCII letters, digits and _", nameof(name));
        var sorted = tags.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var key = new StringBuilder(CounterPrefix).Append(name);
        for (var i = 0; i < sorted.Length; i++)
        {
            var (tag, value) = sorted[i];
            ArgumentNullException.ThrowIfNull(tag, nameof(tags));
            ArgumentNullException.ThrowIfNull(value, nameof(tags));
            if (!IsTagKey(tag))
                throw new ArgumentException($"tag key \"{tag}\" is not an ASCII letter or _ followed by letters, digits and _", nameof(tags));
            if (tag is ReservedPolicyId or ReservedTargetName)
                throw new ArgumentException($"tag key \"{tag}\" is reserved: the agent adds it", nameof(tags));
            if (i > 0 && sorted[i - 1].Key == tag) throw new ArgumentException($"tag key \"{tag}\" given twice", nameof(tags));
            try
            {
                StrictUtf8.GetByteCount(value);
            }
            catch (EncoderFallbackException ex)
            {
                throw new ArgumentException($"value of tag \"{tag}\" is not valid UTF-16: {ex.Message}", nameof(tags), ex);
            }

            // RFC 3986 percent-encoding of the UTF-8 bytes: exactly the unreserved set kept, upper-case hex.
            key.Append(';').Append(tag).Append('=').Append(Uri.EscapeDataString(value));
        }

        return key.ToString();
    }

    /// <summary>Writes counter <paramref name="name"/> with <paramref name="tags"/> into <paramref name="meta"/>:
    /// <paramref name="count"/> is the total since the plugin process started, never a per-call increment.</summary>
    /// <exception cref="ArgumentException">As <see cref="CounterKey"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static void SetCounter(IDictionary<string, string> meta, string name, long count, params ReadOnlySpan<(string Key, string Value)> tags)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        meta[CounterKey(name, tags)] = count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Reads a meta key written by <see cref="CounterKey"/>: false for any key that is not under
    /// <see cref="CounterPrefix"/> in its canonical form.</summary>
    /// <param name="key">The meta key.</param>
    /// <param name="name">The counter's name.</param>
    /// <param name="tags">Its tags, unescaped, in ordinal order of their keys.</param>
    public static bool TryParseCounterKey(string key, out string name, out IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        ArgumentNullException.ThrowIfNull(key);
        name = "";
        tags = [];
        if (!key.StartsWith(CounterPrefix, StringComparison.Ordinal)) return false;
        var parts = key[CounterPrefix.Length..].Split(';');
        if (!IsCounterName(parts[0])) return false;
        var parsed = new List<KeyValuePair<string, string>>(parts.Length - 1);
        foreach (var part in parts.AsSpan(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0) return false;
            var tag = part[..equals];
            // Strictly ascending keys: sorted and never repeated, as CounterKey writes them.
            if (!IsTagKey(tag) || tag is ReservedPolicyId or ReservedTargetName
                || (parsed.Count > 0 && string.CompareOrdinal(parsed[^1].Key, tag) >= 0)) return false;
            if (Unescape(part[(equals + 1)..]) is not { } value) return false;
            parsed.Add(KeyValuePair.Create(tag, value));
        }

        name = parts[0];
        tags = parsed;
        return true;
    }

    /// <summary>Reads a counter's value: a non-negative decimal integer, digits only (invariant culture).</summary>
    public static bool TryParseCounterValue(string value, out long count)
        => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count);

    private static bool IsCounterName(string name)
    {
        if (name.Length == 0 || name[0] == '.' || name[^1] == '.') return false;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '.' ? name[i - 1] == '.' : !(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        }

        return true;
    }

    private static bool IsTagKey(string key)
        => key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>The value of an escaped tag value, or null unless it is exactly what <see cref="CounterKey"/> writes:
    /// upper-case hex, only bytes that need escaping escaped, valid UTF-8 (anything else does not escape back to itself).</summary>
    private static string? Unescape(string text)
    {
        var value = Uri.UnescapeDataString(text);
        return Uri.EscapeDataString(value) == text ? value : null;
    }
}
