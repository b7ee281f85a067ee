using System.Globalization;

namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>The implementation behind <see cref="GoValues.TryParseInt64"/> and <see cref="GoValues.TryParseFloat"/>:
/// Go's grammar is checked here, the decimal conversion is .NET's (correctly rounded, as Go's is), and hexadecimal
/// mantissas are rounded by hand as Go's <c>atofHex</c> does.</summary>
internal static class GoStrconv
{
    /// <summary>Go <c>strconv.ParseInt(text, 10, 64)</c>: optional sign, ASCII digits only, within int64.</summary>
    public static bool TryParseInt64(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.IsEmpty) return false;

        // Accumulate as a negative number so that int64.MinValue fits.
        long acc = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c)) return false;
            var digit = c - '0';
            if (acc < (long.MinValue + digit) / 10) return false;
            acc = acc * 10 - digit;
        }

        if (!negative)
        {
            if (acc == long.MinValue) return false;
            acc = -acc;
        }

        value = acc;
        return true;
    }

    /// <summary>Go <c>strconv.ParseFloat(text, 64)</c>. Returns false on a syntax error and on a range error
    /// (a finite literal that rounds to ±Inf), as the Go call returns a non-nil error for both.</summary>
    public static bool TryParseFloat(string text, out double value)
    {
        if (TryParseSpecial(text, out value)) return true;
        value = 0;

        var scan = Scan(text);
        if (!scan.Ok) return false;

        if (scan.Hex)
        {
            value = HexToDouble(scan.Mantissa, scan.BinaryExponent, scan.Negative, scan.Truncated, out var overflow);
            return !overflow;
        }

        // The syntax is Go's; the conversion itself is correctly rounded in .NET as in Go, once the digit
        // separators are gone (every remaining form, including "5." and ".5", is accepted by double.Parse).
        var digits = scan.Underscores ? text.Replace("_", string.Empty, StringComparison.Ordinal) : text;
        if (!double.TryParse(digits, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out value))
        {
            return false;
        }

        return !double.IsInfinity(value);
    }

    // "inf" and "infinity" with an optional sign, "nan" without one; any letter case; nothing may follow.
    private static bool TryParseSpecial(string s, out double value)
    {
        value = 0;
        var body = s.AsSpan();
        var sign = 1.0;
        if (body.Length > 0 && body[0] is '+' or '-')
        {
            sign = body[0] == '-' ? -1.0 : 1.0;
            body = body[1..];
            if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
            {
                value = sign * double.PositiveInfinity;
                return true;
            }

            return false;
        }

        if (body.Equals("inf", StringComparison.OrdinalIgnoreCase) || body.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        {
            value = double.PositiveInfinity;
            return true;
        }

        if (body.Equals("nan", StringComparison.OrdinalIgnoreCase))
        {
            value = double.NaN;
            return true;
        }

        return false;
    }

    private readonly record struct FloatScan(bool Ok, bool Negative, bool Hex, bool Underscores, ulong Mantissa, int BinaryExponent, bool Truncated);

    // Go's float literal grammar: [sign] (decimal mantissa [e exp] | 0x hex mantissa p exp), '_' between digits.
    // For hexadecimal input it also collects the first 16 significant digits (later non-zero digits only set
    // Truncated) and the binary exponent, which is all the hex conversion needs.
    private static FloatScan Scan(string s)
    {
        var failed = default(FloatScan);
        var i = 0;
        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        var hex = false;
        if (i + 2 < s.Length && s[i] == '0' && (s[i + 1] | 0x20) == 'x')
        {
            hex = true;
            i += 2;
        }

        const int maxHexDigits = 16;
        var underscores = false;
        var sawDot = false;
        var sawDigits = false;
        var significantDigits = 0;
        var mantissaDigits = 0;
        var dotPosition = 0;
        ulong mantissa = 0;
        var truncated = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '_')
            {
                underscores = true;
                continue;
            }

            if (c == '.')
            {
                if (sawDot) break;
                sawDot = true;
                dotPosition = significantDigits;
                continue;
            }

            int digit;
            if (char.IsAsciiDigit(c)) digit = c - '0';
            else if (hex && char.IsAsciiHexDigit(c)) digit = (c | 0x20) - 'a' + 10;
            else break;

            sawDigits = true;
            if (digit == 0 && significantDigits == 0)
            {
                dotPosition--;
                continue;
            }

            significantDigits++;
            if (!hex) continue;
            if (mantissaDigits < maxHexDigits)
            {
                mantissa = mantissa * 16 + (ulong)digit;
                mantissaDigits++;
            }
            else if (digit != 0)
            {
                truncated = true;
            }
        }

        if (!sawDigits) return failed;
        if (!sawDot) dotPosition = significantDigits;

        var exponentChar = hex ? 'p' : 'e';
        if (i < s.Length && (s[i] | 0x20) == exponentChar)
        {
            i++;
            if (i >= s.Length) return failed;
            var exponentSign = 1;
            if (s[i] is '+' or '-')
            {
                exponentSign = s[i] == '-' ? -1 : 1;
                i++;
            }

            if (i >= s.Length || !char.IsAsciiDigit(s[i])) return failed;
            var exponent = 0;
            for (; i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '_'); i++)
            {
                if (s[i] == '_')
                {
                    underscores = true;
                    continue;
                }

                // Go stops accumulating here too: anything larger over- or underflows anyway.
                if (exponent < 10000) exponent = exponent * 10 + (s[i] - '0');
            }

            if (hex) dotPosition = dotPosition * 4 + exponentSign * exponent;
        }
        else if (hex)
        {
            // A hexadecimal mantissa needs its 'p' exponent.
            return failed;
        }

        if (i != s.Length) return failed;
        if (underscores && !UnderscoresOk(s)) return failed;

        // Hex digits are 4 bits each, and dotPosition was already scaled to bits with the 'p' exponent.
        var binaryExponent = hex && mantissa != 0 ? dotPosition - mantissaDigits * 4 : 0;

        return new FloatScan(true, negative, hex, underscores, mantissa, binaryExponent, truncated);
    }

    // Go allows '_' only between digits, or between a base prefix and a digit.
    private static bool UnderscoresOk(string s)
    {
        const char start = '^', digit = '0', underscore = '_', other = '!';
        var saw = start;
        var i = 0;
        if (s.Length >= 1 && s[0] is '+' or '-') i = 1;
        var hex = false;
        if (s.Length - i >= 2 && s[i] == '0' && (s[i + 1] | 0x20) is 'b' or 'o' or 'x')
        {
            hex = (s[i + 1] | 0x20) == 'x';
            i += 2;
            saw = digit;
        }

        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c) || (hex && char.IsAsciiHexDigit(c)))
            {
                saw = digit;
                continue;
            }

            if (c == '_')
            {
                if (saw != digit) return false;
                saw = underscore;
                continue;
            }

            if (saw == underscore) return false;
            saw = other;
        }

        return saw != underscore;
    }

    // mantissa × 2^exponent rounded to a double, half to even, as Go's atofHex does: normalise to 55 bits
    // (53 + a round bit + a sticky bit), denormalise if below the smallest exponent, then round.
    private static double HexToDouble(ulong mantissa, int exponent, bool negative, bool truncated, out bool overflow)
    {
        const int mantissaBits = 52;
        const int bias = -1023;
        const int maxExponent = 1023;
        const int minExponent = -1022;

        overflow = false;
        exponent += mantissaBits;
        while (mantissa != 0 && mantissa >> (mantissaBits + 2) == 0)
        {
            mantissa <<= 1;
            exponent--;
        }

        if (truncated) mantissa |= 1;
        while (mantissa >> (mantissaBits + 3) != 0)
        {
            mantissa = (mantissa >> 1) | (mantissa & 1);
            exponent++;
        }

        while (mantissa > 1 && exponent < minExponent - 2)
        {
            mantissa = (mantissa >> 1) | (mantissa & 1);
            exponent++;
        }

        var round = mantissa & 3;
        mantissa >>= 2;
        round |= mantissa & 1;
        exponent += 2;
        if (round == 3)
        {
            mantissa++;
            if (mantissa == 1UL << (mantissaBits + 1))
            {
                mantissa >>= 1;
                exponent++;
            }
        }

        if (mantissa >> mantissaBits == 0) exponent = bias;
        if (exponent > maxExponent)
        {
            overflow = true;
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        var bits = (mantissa & ((1UL << mantissaBits) - 1)) | ((ulong)((exponent - bias) & 0x7FF) << mantissaBits);
        if (negative) bits |= 1UL << 63;
        return BitConverter.UInt64BitsToDouble(bits);
    }
}
