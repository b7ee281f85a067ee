using System.Globalization;

namespace NomadAutoscaler.Plugins.Strategies;

/// <summary>The few Go number conversions the strategies' results depend on.</summary>
internal static class GoFormat
{
    /// <summary>Go <c>fmt</c> <c>%f</c>: six decimals, exact ties to even, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Float6(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "+Inf";
        if (double.IsNegativeInfinity(value)) return "-Inf";

        // .NET formats from the exact binary value and breaks exact ties to even, as Go does (1/128 → 0.007812).
        return value.ToString("F6", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's <c>int64(f)</c>: truncation toward zero. Out of range (including ±Inf and NaN) the Go spec leaves
    /// the result to the platform; this saturates (+Inf → int64 max, −Inf → min, NaN → 0) as upstream's arm64 builds
    /// do, where amd64 builds would produce int64 min for every such value.</summary>
    public static long TruncateToInt64(double value)
    {
        // .NET 9+ defines double → long conversion as saturating on every platform.
        return (long)value;
    }
}
