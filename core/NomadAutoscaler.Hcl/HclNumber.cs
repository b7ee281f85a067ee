using System.Globalization;
using System.Numerics;
using System.Text;

namespace NomadAutoscaler.Hcl;

/// <summary>
/// A binary floating-point number with a per-value precision, mirroring Go's math/big.Float as cty uses it:
/// literals are parsed at 512 bits with round-to-nearest-even, integers made from Go ints carry 64 bits, and results
/// take the larger precision of their operands. Formatting is big.Float's Text('f', -1) (shortest round-tripping
/// decimal), so 1e6 prints as 1000000 and 0.1 as 0.1 exactly as hcl does.
/// </summary>
internal sealed class HclNumber : IEquatable<HclNumber>, IComparable<HclNumber>
{
    public const int LiteralPrecision = 512;

    // Decimal exponents beyond this would need megabytes of digits; hcl accepts them, we report them as invalid.
    private const int MaxDecimalExponent = 20000;

    private HclNumber(bool negative, BigInteger mantissa, int exponent, int precision, bool infinity)
    {
        Negative = negative && (infinity || !mantissa.IsZero);
        Mantissa = mantissa;
        Exponent = exponent;
        Precision = precision;
        IsInfinity = infinity;
    }

    public static HclNumber Zero { get; } = new(false, BigInteger.Zero, 0, 64, false);

    public static HclNumber PositiveInfinity { get; } = new(false, BigInteger.Zero, 0, 0, true);

    public static HclNumber NegativeInfinity { get; } = new(true, BigInteger.Zero, 0, 0, true);

    public bool Negative { get; }

    /// <summary>Odd (canonical) or zero.</summary>
    public BigInteger Mantissa { get; }

    public int Exponent { get; }

    public int Precision { get; }

    public bool IsInfinity { get; }

    public bool IsZero => !IsInfinity && Mantissa.IsZero;

    public int Sign => IsZero ? 0 : Negative ? -1 : 1;

    public bool IsInteger => !IsInfinity && (Mantissa.IsZero || Exponent >= 0);

    public static HclNumber FromInt64(long value) => FromExact(value < 0, BigInteger.Abs(value), 0, 64);

    public static HclNumber FromBigInteger(BigInteger value) =>
        FromExact(value.Sign < 0, BigInteger.Abs(value), 0, Math.Max(64, (int)BigInteger.Abs(value).GetBitLength()));

    public static HclNumber FromDouble(double value)
    {
        if (double.IsInfinity(value))
        {
            return value > 0 ? PositiveInfinity : NegativeInfinity;
        }

        if (double.IsNaN(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "NaN is not a number in HCL");
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFL;
        if (exponentBits == 0)
        {
            return FromExact(negative, fraction, -1074, 53);
        }

        return FromExact(negative, fraction | (1L << 52), exponentBits - 1075, 53);
    }

    /// <summary>Parses a decimal number the way cty.ParseNumberVal does (512-bit, nearest-even).</summary>
    public static bool TryParse(string text, out HclNumber result)
    {
        result = Zero;
        var s = text.AsSpan();
        var negative = false;
        var i = 0;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        var rest = s[i..];
        if (rest.Equals("Inf", StringComparison.OrdinalIgnoreCase) || rest.Equals("Infinity", StringComparison.OrdinalIgnoreCase))
        {
            result = negative ? NegativeInfinity : PositiveInfinity;
            return true;
        }

        var digits = new StringBuilder();
        var fractionDigits = 0;
        var sawDigit = false;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            digits.Append(s[i++]);
            sawDigit = true;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                digits.Append(s[i++]);
                fractionDigits++;
                sawDigit = true;
            }
        }

        if (!sawDigit)
        {
            return false;
        }

        long exponent = 0;
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            var expNegative = false;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
            {
                expNegative = s[i] == '-';
                i++;
            }

            var expDigits = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (exponent < 1_000_000_000)
                {
                    exponent = (exponent * 10) + (s[i] - '0');
                }

                i++;
                expDigits++;
            }

            if (expDigits == 0)
            {
                return false;
            }

            if (expNegative)
            {
                exponent = -exponent;
            }
        }

        if (i != s.Length)
        {
            return false;
        }

        var mantissa = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        var decimalExponent = exponent - fractionDigits;
        if (mantissa.IsZero)
        {
            result = new HclNumber(false, BigInteger.Zero, 0, LiteralPrecision, false);
            return true;
        }

        if (Math.Abs(decimalExponent) > MaxDecimalExponent)
        {
            return false;
        }

        if (decimalExponent >= 0)
        {
            result = FromExact(negative, mantissa * BigInteger.Pow(10, (int)decimalExponent), 0, LiteralPrecision);
        }
        else
        {
            result = FromRatio(negative, mantissa, BigInteger.Pow(10, (int)-decimalExponent), 0, LiteralPrecision);
        }

        return true;
    }

    /// <summary>±mantissa·2^exponent rounded to <paramref name="precision"/> bits.</summary>
    private static HclNumber FromExact(bool negative, BigInteger mantissa, long exponent, int precision)
    {
        if (mantissa.IsZero)
        {
            return new HclNumber(false, BigInteger.Zero, 0, precision, false);
        }

        var length = (int)mantissa.GetBitLength();
        if (length > precision)
        {
            var extra = length - precision;
            var dropped = mantissa & ((BigInteger.One << extra) - 1);
            mantissa >>= extra;
            exponent += extra;
            var half = BigInteger.One << (extra - 1);
            if (dropped > half || (dropped == half && !mantissa.IsEven))
            {
                mantissa += 1;
            }
        }

        return Normalized(negative, mantissa, exponent, precision);
    }

    /// <summary>±(p/q)·2^exponent rounded to <paramref name="precision"/> bits.</summary>
    private static HclNumber FromRatio(bool negative, BigInteger p, BigInteger q, long exponent, int precision)
    {
        if (p.IsZero)
        {
            return new HclNumber(false, BigInteger.Zero, 0, precision, false);
        }

        var shift = precision - ((long)p.GetBitLength() - (long)q.GetBitLength()) + 2;
        var numerator = shift >= 0 ? p << (int)shift : p;
        var denominator = shift >= 0 ? q : q << (int)-shift;
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var extra = (int)quotient.GetBitLength() - precision;
        var mantissa = quotient;
        long resultExponent = exponent - shift;
        if (extra > 0)
        {
            var dropped = quotient & ((BigInteger.One << extra) - 1);
            mantissa = quotient >> extra;
            resultExponent += extra;
            var half = BigInteger.One << (extra - 1);
            var sticky = !remainder.IsZero;
            if (dropped > half || (dropped == half && (sticky || !mantissa.IsEven)))
            {
                mantissa += 1;
            }
        }

        return Normalized(negative, mantissa, resultExponent, precision);
    }

    private static HclNumber Normalized(bool negative, BigInteger mantissa, long exponent, int precision)
    {
        if (mantissa.IsZero)
        {
            return new HclNumber(false, BigInteger.Zero, 0, precision, false);
        }

        var trailing = (int)BigInteger.TrailingZeroCount(mantissa);
        mantissa >>= trailing;
        exponent += trailing;
        if (exponent > int.MaxValue / 2)
        {
            return negative ? NegativeInfinity : PositiveInfinity;
        }

        if (exponent < int.MinValue / 2)
        {
            return new HclNumber(false, BigInteger.Zero, 0, precision, false);
        }

        return new HclNumber(negative, mantissa, (int)exponent, precision, false);
    }

    private int TopBit => Exponent + (int)Mantissa.GetBitLength();

    public HclNumber Negate() =>
        IsInfinity ? (Negative ? PositiveInfinity : NegativeInfinity) : new HclNumber(!Negative, Mantissa, Exponent, Precision, false);

    /// <summary>Sum; null when adding opposing infinities.</summary>
    public HclNumber? Add(HclNumber other)
    {
        if (IsInfinity || other.IsInfinity)
        {
            if (IsInfinity && other.IsInfinity && Negative != other.Negative)
            {
                return null;
            }

            return IsInfinity ? this : other;
        }

        var precision = Math.Max(Precision, other.Precision);
        if (IsZero)
        {
            return other.WithPrecision(precision);
        }

        if (other.IsZero)
        {
            return WithPrecision(precision);
        }

        var (big, small) = TopBit >= other.TopBit ? (this, other) : (other, this);
        var smallMantissa = small.Mantissa;
        var smallExponent = small.Exponent;
        if (small.TopBit < big.TopBit - precision - 4)
        {
            // Far below the rounding point: only its sign and non-zeroness matter (a sticky bit).
            smallMantissa = BigInteger.One;
            smallExponent = Math.Min(big.Exponent, big.TopBit - precision - 6) - 1;
        }

        var exponent = Math.Min(big.Exponent, smallExponent);
        var a = big.Mantissa << (big.Exponent - exponent);
        var b = smallMantissa << (smallExponent - exponent);
        var signedA = big.Negative ? -a : a;
        var signedB = small.Negative ? -b : b;
        var sum = signedA + signedB;
        return FromExact(sum.Sign < 0, BigInteger.Abs(sum), exponent, precision);
    }

    public HclNumber? Subtract(HclNumber other) => Add(other.Negate());

    public HclNumber? Multiply(HclNumber other)
    {
        var negative = Negative != other.Negative;
        if (IsInfinity || other.IsInfinity)
        {
            if (IsZero || other.IsZero)
            {
                return null;
            }

            return negative ? NegativeInfinity : PositiveInfinity;
        }

        return FromExact(negative, Mantissa * other.Mantissa, (long)Exponent + other.Exponent, Math.Max(Precision, other.Precision));
    }

    /// <summary>Quotient; x/0 is ±Inf as in Go; null for 0/0 and Inf/Inf.</summary>
    public HclNumber? Divide(HclNumber other)
    {
        var negative = Negative != other.Negative;
        var precision = Math.Max(Precision, other.Precision);
        if (IsInfinity && other.IsInfinity)
        {
            return null;
        }

        if (IsInfinity)
        {
            return negative ? NegativeInfinity : PositiveInfinity;
        }

        if (other.IsInfinity)
        {
            return new HclNumber(false, BigInteger.Zero, 0, precision, false);
        }

        if (other.IsZero)
        {
            if (IsZero)
            {
                return null;
            }

            return negative ? NegativeInfinity : PositiveInfinity;
        }

        return FromRatio(negative, Mantissa, other.Mantissa, (long)Exponent - other.Exponent, precision);
    }

    /// <summary>cty's Modulo: x - y·trunc(x/y), computed at x's precision; x % 0 is x.</summary>
    public HclNumber? Modulo(HclNumber other)
    {
        if (IsInfinity || other.IsInfinity)
        {
            return Multiply(other);
        }

        if (other.IsZero)
        {
            return this;
        }

        var ratio = Divide(other);
        if (ratio is null)
        {
            return null;
        }

        var truncated = ratio.Truncate();
        var work = FromExact(truncated.Sign < 0, BigInteger.Abs(truncated), 0, Precision);
        var product = FromExact(work.Negative != other.Negative, work.Mantissa * other.Mantissa, (long)work.Exponent + other.Exponent, Precision);
        var difference = Add(product.Negate());
        return difference?.WithPrecision(Precision);
    }

    private HclNumber WithPrecision(int precision) =>
        IsInfinity ? this : FromExact(Negative, Mantissa, Exponent, precision);

    /// <summary>The integer part, rounded toward zero.</summary>
    public BigInteger Truncate()
    {
        if (IsInfinity || IsZero)
        {
            return BigInteger.Zero;
        }

        var magnitude = Exponent >= 0 ? Mantissa << Exponent : (-Exponent >= Mantissa.GetBitLength() ? BigInteger.Zero : Mantissa >> -Exponent);
        return Negative ? -magnitude : magnitude;
    }

    public double ToDouble()
    {
        if (IsInfinity)
        {
            return Negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (IsZero)
        {
            return 0;
        }

        return double.Parse(ToString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public int CompareTo(HclNumber? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (Sign != other.Sign)
        {
            return Sign.CompareTo(other.Sign);
        }

        if (IsInfinity || other.IsInfinity)
        {
            if (IsInfinity && other.IsInfinity)
            {
                return 0;
            }

            return IsInfinity ? (Negative ? -1 : 1) : (other.Negative ? 1 : -1);
        }

        if (IsZero)
        {
            return 0;
        }

        var exponent = Math.Min(Exponent, other.Exponent);
        if (TopBit != other.TopBit)
        {
            var magnitudeOrder = TopBit.CompareTo(other.TopBit);
            return Negative ? -magnitudeOrder : magnitudeOrder;
        }

        var a = Mantissa << (Exponent - exponent);
        var b = other.Mantissa << (other.Exponent - exponent);
        var order = a.CompareTo(b);
        return Negative ? -order : order;
    }

    public bool Equals(HclNumber? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is HclNumber other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Negative, Mantissa, Exponent, IsInfinity);

    /// <summary>big.Float.Text('f', -1): the shortest decimal that reads back to the same value at this precision.</summary>
    public override string ToString()
    {
        if (IsInfinity)
        {
            return Negative ? "-Inf" : "+Inf";
        }

        if (IsZero)
        {
            return "0";
        }

        var (digits, decimalExponent) = ExactDecimal(Mantissa, Exponent);
        var shortest = Shortest(digits, decimalExponent);
        var builder = new StringBuilder();
        if (Negative)
        {
            builder.Append('-');
        }

        var (mant, exp) = shortest;
        if (exp > 0)
        {
            for (var i = 0; i < exp; i++)
            {
                builder.Append(i < mant.Length ? mant[i] : '0');
            }
        }
        else
        {
            builder.Append('0');
        }

        var fraction = Math.Max(mant.Length - exp, 0);
        if (fraction > 0)
        {
            builder.Append('.');
            for (var i = 1; i <= fraction; i++)
            {
                var index = exp + i - 1;
                builder.Append(index >= 0 && index < mant.Length ? mant[index] : '0');
            }
        }

        return builder.ToString();
    }

    /// <summary>Digits (no trailing zeros) and exponent such that value = 0.digits × 10^exponent.</summary>
    private static (string Digits, int Exponent) ExactDecimal(BigInteger mantissa, long exponent)
    {
        string digits;
        long pointShift;
        if (exponent >= 0)
        {
            digits = (mantissa << (int)exponent).ToString(CultureInfo.InvariantCulture);
            pointShift = 0;
        }
        else
        {
            digits = (mantissa * BigInteger.Pow(5, (int)-exponent)).ToString(CultureInfo.InvariantCulture);
            pointShift = exponent;
        }

        var decimalExponent = digits.Length + pointShift;
        var trimmed = digits.TrimEnd('0');
        if (trimmed.Length == 0)
        {
            return ("", 0);
        }

        return (trimmed, (int)decimalExponent);
    }

    private (string Digits, int Exponent) Shortest(string digits, int decimalExponent)
    {
        // Mantissa with precision+1 bits whose lowest bit is half an ulp (as Go's roundShortest).
        var length = (int)Mantissa.GetBitLength();
        var shift = length - (Precision + 1);
        var mantissa = shift < 0 ? Mantissa << -shift : Mantissa >> shift;
        long exponent = (long)Exponent + shift;
        var lower = ExactDecimal(mantissa - 1, exponent);
        var upper = ExactDecimal(mantissa + 1, exponent);
        var inclusive = (mantissa & 2).IsZero;
        for (var i = 0; i < digits.Length; i++)
        {
            var m = digits[i];
            var l = At(lower.Digits, i);
            var u = At(upper.Digits, i);
            var okDown = l != m || (inclusive && i + 1 == lower.Digits.Length);
            var okUp = m != u && (inclusive || m + 1 < u || i + 1 < upper.Digits.Length);
            if (okDown && okUp)
            {
                return ShouldRoundUp(digits, i + 1) ? RoundUp(digits, decimalExponent, i + 1) : RoundDown(digits, decimalExponent, i + 1);
            }

            if (okDown)
            {
                return RoundDown(digits, decimalExponent, i + 1);
            }

            if (okUp)
            {
                return RoundUp(digits, decimalExponent, i + 1);
            }
        }

        return (digits, decimalExponent);
    }

    private static char At(string digits, int index) => index < digits.Length ? digits[index] : '0';

    private static bool ShouldRoundUp(string digits, int n)
    {
        if (n >= digits.Length)
        {
            return false;
        }

        if (digits[n] == '5' && n + 1 == digits.Length)
        {
            return n > 0 && ((digits[n - 1] - '0') & 1) != 0;
        }

        return digits[n] >= '5';
    }

    private static (string, int) RoundDown(string digits, int exponent, int n)
    {
        if (n >= digits.Length)
        {
            return (digits, exponent);
        }

        var cut = digits[..n].TrimEnd('0');
        return (cut, cut.Length == 0 ? 0 : exponent);
    }

    private static (string, int) RoundUp(string digits, int exponent, int n)
    {
        if (n >= digits.Length)
        {
            return (digits, exponent);
        }

        var chars = digits[..n].ToCharArray();
        var i = n - 1;
        while (i >= 0 && chars[i] == '9')
        {
            i--;
        }

        if (i < 0)
        {
            return ("1", exponent + 1);
        }

        chars[i]++;
        return (new string(chars, 0, i + 1), exponent);
    }
}
