using System.Globalization;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Scalar parsing and formatting with Go's rules, so a config value is accepted or rejected, and a number is
/// printed, exactly as by the Go agent and Go plugins. No surrounding white space is allowed in parsed text.</summary>
public static class GoValues
{
    /// <summary>Parses a boolean as Go's <c>strconv.ParseBool</c>: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Parses as Go's <c>strconv.ParseInt(text, 10, 64)</c>: an optional sign and ASCII digits, within
    /// <see cref="long"/>. <c>"1.0"</c> and <c>"1e+06"</c> are not integers (Nomad sends numbers of a million or more in
    /// that exponent form).</summary>
    public static bool TryParseInt64(string text, out long value) => GoStrconv.TryParseInt64(text, out value);

    /// <summary>Parses as Go's <c>strconv.ParseFloat(text, 64)</c>: <c>"1e3"</c>, <c>"Inf"</c>, <c>"NaN"</c>,
    /// <c>"0x1p-2"</c> and <c>"1_000"</c> are numbers; <c>"1e400"</c> is not, since Go reports a range error for a
    /// finite literal that rounds to infinity.</summary>
    public static bool TryParseFloat(string text, out double value) => GoStrconv.TryParseFloat(text, out value);

    /// <summary>Formats as Go's <c>fmt</c> verb <c>%f</c>: six decimals, exact ties to even, <c>+Inf</c>, <c>-Inf</c>,
    /// <c>NaN</c>.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";

        // .NET formats from the exact binary value and breaks exact ties to even, as Go does (1/128 → 0.007812).
        return value.ToString("F6", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's <c>int64(f)</c>: truncation toward zero. Out of range (including ±Inf and NaN) Go leaves the result
    /// to the platform; this saturates (+Inf → <see cref="long.MaxValue"/>, −Inf → <see cref="long.MinValue"/>,
    /// NaN → 0) as Go's arm64 builds do, where amd64 builds would give <see cref="long.MinValue"/> for every such
    /// value.</summary>
    public static long TruncateToInt64(double value)
    {
        // .NET 9+ defines double → long conversion as saturating on every platform.
        return (long)value;
    }
}
