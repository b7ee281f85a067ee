using System.Globalization;
using System.Numerics;
using System.Text;

namespace NomadAutoscaler.Hcl;

/// <summary>
/// An immutable HCL value (a cty value): null, bool, number (arbitrary precision, formatted like Go's big.Float),
/// string, tuple or object. Object attributes are kept sorted by name, as cty does.
/// </summary>
public sealed class HclValue : IEquatable<HclValue>
{
    private static readonly IReadOnlyList<HclValue> NoItems = [];
    private static readonly IReadOnlyDictionary<string, HclValue> NoAttributes = new SortedDictionary<string, HclValue>(StringComparer.Ordinal);

    private readonly bool _bool;
    private readonly HclNumber? _number;
    private readonly string? _string;
    private readonly IReadOnlyList<HclValue>? _items;
    private readonly SortedDictionary<string, HclValue>? _attributes;

    private HclValue(HclValueKind kind, bool boolValue = false, HclNumber? number = null, string? text = null,
        IReadOnlyList<HclValue>? items = null, SortedDictionary<string, HclValue>? attributes = null)
    {
        Kind = kind;
        _bool = boolValue;
        _number = number;
        _string = text;
        _items = items;
        _attributes = attributes;
    }

    public static HclValue Null { get; } = new(HclValueKind.Null);

    public static HclValue True { get; } = new(HclValueKind.Bool, boolValue: true);

    public static HclValue False { get; } = new(HclValueKind.Bool, boolValue: false);

    public static HclValue EmptyTuple { get; } = new(HclValueKind.Tuple, items: []);

    public static HclValue EmptyObject { get; } = new(HclValueKind.Object, attributes: new SortedDictionary<string, HclValue>(StringComparer.Ordinal));

    public HclValueKind Kind { get; }

    public bool IsNull => Kind == HclValueKind.Null;

    internal HclNumber? NumberValue => _number;

    public static HclValue Bool(bool value) => value ? True : False;

    public static HclValue String(string value) => new(HclValueKind.String, text: Normalize(value));

    // cty keeps strings in Unicode normal form C; lone surrogates (possible from JSON \u escapes) become U+FFFD first.
    private static string Normalize(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var paired = char.IsHighSurrogate(value[i]) ? i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) : !char.IsLowSurrogate(value[i]);
            if (!paired)
            {
                var chars = value.ToCharArray();
                for (var j = i; j < chars.Length; j++)
                {
                    if (char.IsHighSurrogate(chars[j]) && j + 1 < chars.Length && char.IsLowSurrogate(chars[j + 1]))
                    {
                        j++;
                    }
                    else if (char.IsSurrogate(chars[j]))
                    {
                        chars[j] = '\uFFFD';
                    }
                }

                value = new string(chars);
                break;
            }

            if (char.IsHighSurrogate(value[i]))
            {
                i++;
            }
        }

        if (value.IsNormalized(NormalizationForm.FormC))
        {
            return value;
        }

        return value.Normalize(NormalizationForm.FormC);
    }

    public static HclValue Number(long value) => new(HclValueKind.Number, number: HclNumber.FromInt64(value));

    public static HclValue Number(double value) => new(HclValueKind.Number, number: HclNumber.FromDouble(value));

    public static HclValue Number(BigInteger value) => new(HclValueKind.Number, number: HclNumber.FromBigInteger(value));

    internal static HclValue Number(HclNumber value) => new(HclValueKind.Number, number: value);

    /// <summary>Parses a decimal number literal exactly as hcl does (e.g. "1e6", "0.1"); null when not a number.</summary>
    public static HclValue? ParseNumber(string text) =>
        HclNumber.TryParse(text.Trim(), out var number) ? new HclValue(HclValueKind.Number, number: number) : null;

    public static HclValue Tuple(IEnumerable<HclValue> items) => new(HclValueKind.Tuple, items: items.ToList());

    public static HclValue Object(IEnumerable<KeyValuePair<string, HclValue>> attributes)
    {
        var sorted = new SortedDictionary<string, HclValue>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            sorted[key] = value;
        }

        return new HclValue(HclValueKind.Object, attributes: sorted);
    }

    public bool AsBool() => Kind == HclValueKind.Bool ? _bool : throw WrongKind(HclValueKind.Bool);

    public string AsString() => Kind == HclValueKind.String ? _string! : throw WrongKind(HclValueKind.String);

    public IReadOnlyList<HclValue> AsTuple() => Kind == HclValueKind.Tuple ? _items! : throw WrongKind(HclValueKind.Tuple);

    /// <summary>Object attributes, sorted by name.</summary>
    public IReadOnlyDictionary<string, HclValue> AsObject() => Kind == HclValueKind.Object ? _attributes! : throw WrongKind(HclValueKind.Object);

    /// <summary>Elements of a tuple or values of an object (in key order); empty for other kinds.</summary>
    internal IReadOnlyList<HclValue> Elements => Kind switch
    {
        HclValueKind.Tuple => _items!,
        HclValueKind.Object => _attributes!.Values.ToList(),
        _ => NoItems,
    };

    internal IReadOnlyDictionary<string, HclValue> AttributesOrEmpty => _attributes ?? NoAttributes;

    /// <summary>True when the value is a number that is a whole number fitting a long.</summary>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        if (_number is not { IsInteger: true } number)
        {
            return false;
        }

        var integer = number.Truncate();
        if (integer < long.MinValue || integer > long.MaxValue)
        {
            return false;
        }

        value = (long)integer;
        return true;
    }

    public bool TryGetInt32(out int value)
    {
        value = 0;
        if (TryGetInt64(out var wide) && wide is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)wide;
            return true;
        }

        return false;
    }

    public double AsDouble() => _number is { } number ? number.ToDouble() : throw WrongKind(HclValueKind.Number);

    /// <summary>The number in hcl's canonical text (big.Float Text('f', -1)): "1000000", "0.1", "+Inf".</summary>
    public string AsNumberText() => _number is { } number ? number.ToString() : throw WrongKind(HclValueKind.Number);

    /// <summary>
    /// cty's safe primitive conversions: number/bool to string, numeric string to number, "true"/"false" to bool.
    /// Null converts to null of any kind. Returns false when the conversion is not allowed.
    /// </summary>
    public bool TryConvert(HclValueKind target, out HclValue result)
    {
        result = this;
        if (Kind == target || IsNull)
        {
            return true;
        }

        switch (target, Kind)
        {
            case (HclValueKind.String, HclValueKind.Number):
                result = String(_number!.ToString());
                return true;
            case (HclValueKind.String, HclValueKind.Bool):
                result = String(_bool ? "true" : "false");
                return true;
            case (HclValueKind.Number, HclValueKind.String):
                var parsed = HclNumber.TryParse(_string!, out var number) ? Number(number) : null;
                result = parsed ?? this;
                return parsed is not null;
            case (HclValueKind.Bool, HclValueKind.String):
                if (_string is "true" or "false")
                {
                    result = Bool(_string == "true");
                    return true;
                }

                return false;
            default:
                return false;
        }
    }

    /// <summary>A name for the value's type as hcl prints it in messages ("string", "number", "tuple", ...).</summary>
    public string TypeName => Kind switch
    {
        HclValueKind.Null => "null",
        HclValueKind.Bool => "bool",
        HclValueKind.Number => "number",
        HclValueKind.String => "string",
        HclValueKind.Tuple => "tuple",
        _ => "object",
    };

    public bool Equals(HclValue? other)
    {
        if (other is null || other.Kind != Kind)
        {
            return false;
        }

        return Kind switch
        {
            HclValueKind.Null => true,
            HclValueKind.Bool => _bool == other._bool,
            HclValueKind.Number => _number!.Equals(other._number),
            HclValueKind.String => string.Equals(_string, other._string, StringComparison.Ordinal),
            HclValueKind.Tuple => _items!.Count == other._items!.Count && _items.Zip(other._items).All(p => p.First.Equals(p.Second)),
            _ => _attributes!.Count == other._attributes!.Count
                && _attributes.All(kv => other._attributes.TryGetValue(kv.Key, out var v) && kv.Value.Equals(v)),
        };
    }

    public override bool Equals(object? obj) => obj is HclValue other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        HclValueKind.Bool => _bool.GetHashCode(),
        HclValueKind.Number => _number!.GetHashCode(),
        HclValueKind.String => StringComparer.Ordinal.GetHashCode(_string!),
        HclValueKind.Tuple => _items!.Count,
        HclValueKind.Object => _attributes!.Count,
        _ => 0,
    };

    /// <summary>The value as JSON (jsonencode semantics; numbers in canonical text).</summary>
    public string ToJson()
    {
        var builder = new StringBuilder();
        HclJsonWriter.Write(builder, this);
        return builder.ToString();
    }

    public override string ToString() => Kind switch
    {
        HclValueKind.String => _string!,
        HclValueKind.Number => _number!.ToString(),
        HclValueKind.Bool => _bool ? "true" : "false",
        HclValueKind.Null => "null",
        _ => ToJson(),
    };

    private InvalidOperationException WrongKind(HclValueKind wanted) =>
        new(string.Create(CultureInfo.InvariantCulture, $"HCL value is {TypeName}, not {wanted.ToString().ToLowerInvariant()}"));
}
