using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>
/// Parses the numbers of CSV fields exactly as .NET's invariant <c>TryParse</c> (integer style for int and long, float
/// style for float and double) does, with a fast path for plain decimal text: digits with an optional sign, fraction and
/// exponent, whose value is exact by Clinger's rule (a mantissa that fits the type's significand and a power of ten that
/// is exact in it, so one correctly rounded multiplication or division gives the result). Anything else goes to .NET.
/// </summary>
internal static class CsvNumbers
{
    private static readonly float[] s_floatPowers = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    private static readonly double[] s_doublePowers =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParseFloat(ReadOnlySpan<byte> text, out float value)
    {
        if (TryPlainDecimal(text, out ulong plain, out int fraction, out bool minus) && plain <= (1UL << 24) && fraction <= 10)
        {
            value = PlainSingle(plain, fraction, minus);
            return true;
        }

        if (TryDecimal(text, out ulong mantissa, out int exponent, out bool negative))
        {
            if (mantissa <= (1UL << 24) && exponent is >= -10 and <= 10)
            {
                value = exponent >= 0 ? (long)mantissa * s_floatPowers[exponent] : PlainSingle(mantissa, -exponent, false);
                if (negative)
                {
                    value = -value;
                }

                return true;
            }

            if (mantissa <= (1UL << 53) && exponent is >= -22 and <= 22)
            {
                // The text's shortest float form often has 8 or 9 digits ("6.8999996"): the correctly rounded double,
                // then rounded to float. Rounding twice gives the correctly rounded float unless the double is exactly
                // halfway between two floats (its 29 bits below the float's last are 1000...0): those go to .NET. (The
                // values here, 1e-22 to 9e37, are normal floats.)
                double m = mantissa;
                double d = exponent >= 0 ? m * s_doublePowers[exponent] : m / s_doublePowers[-exponent];
                if ((BitConverter.DoubleToUInt64Bits(d) & 0x1FFF_FFFFUL) != 0x1000_0000UL)
                {
                    value = (float)d;
                    if (negative)
                    {
                        value = -value;
                    }

                    return true;
                }
            }
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The float of a plain decimal's mantissa and fraction digits (the text [-]digits[.digits], at most 18 bytes), by the
    /// same two exact ways as <see cref="TryParseFloat"/>; false when neither applies (then .NET decides).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPlainSingle(ulong mantissa, int fraction, bool negative, out float value)
    {
        if (mantissa <= (1UL << 24) && fraction <= 10)
        {
            value = PlainSingle(mantissa, fraction, negative);
            return true;
        }

        if (mantissa <= (1UL << 53) && fraction <= 22)
        {
            // As TryParseFloat's second way: the correctly rounded double, rounded to float unless exactly halfway.
            double d = PlainDouble(mantissa, fraction, false);
            if ((BitConverter.DoubleToUInt64Bits(d) & 0x1FFF_FFFFUL) != 0x1000_0000UL)
            {
                value = negative ? -(float)d : (float)d;
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// The float of a plain decimal: mantissa (at most 2^24) / 10^fraction (fraction at most 10), negated when negative;
    /// correctly rounded, the bits of the exact float division (both operands are exact floats), by a multiplication in
    /// double, which is cheaper here than the division. q = mantissa × 10^-fraction (10^-fraction rounded to double) is
    /// within about 2^-52 of the quotient (two roundings of at most 2^-53 each), so within 2 units of q's last bit; then
    /// <c>(float)q</c> is the correctly rounded quotient unless q lies within 2 units of its last bit of a float rounding
    /// midpoint (its 29 bits below the float's last bit near 1000...0). No input of this range does: the tests sweep all
    /// 168 million of them (none comes within 8 units of a midpoint, and every result equals the division's). A wider range
    /// needs that check (and a division for the values that fail it) or another sweep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float PlainSingle(ulong mantissa, int fraction, bool negative)
    {
        Debug.Assert(mantissa <= (1UL << 24) && fraction is >= 0 and <= 10);
        float value = fraction == 0 ? (long)mantissa : (float)((long)mantissa * InversePowers[fraction]);
        return negative ? -value : value;
    }

    // 10^-k rounded to double, k = 0..10.
    private static ReadOnlySpan<double> InversePowers => [1e0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10];

    /// <summary>The double of a plain decimal: mantissa (at most 2^53) / 10^fraction (fraction at most 22), negated when negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PlainDouble(ulong mantissa, int fraction, bool negative)
    {
        double m = mantissa;
        double value = fraction == 0 ? m : m / s_doublePowers[fraction];
        return negative ? -value : value;
    }

    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        if (TryPlainDecimal(text, out ulong plain, out int fraction, out bool minus) && plain <= (1UL << 53) && fraction <= 22)
        {
            value = PlainDouble(plain, fraction, minus);
            return true;
        }

        if (TryDecimal(text, out ulong mantissa, out int exponent, out bool negative) && mantissa <= (1UL << 53) && exponent is >= -22 and <= 22)
        {
            double m = mantissa;
            value = exponent >= 0 ? m * s_doublePowers[exponent] : m / s_doublePowers[-exponent];
            if (negative)
            {
                value = -value;
            }

            return true;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseInt(ReadOnlySpan<byte> text, out int value)
    {
        if (TryDigits(text, 9, out long n))
        {
            value = (int)n;
            return true;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParseLong(ReadOnlySpan<byte> text, out long value)
    {
        if (TryDigits(text, 18, out value))
        {
            return true;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
    }

    // An optional '-' then 1..maxDigits ASCII digits, nothing else.
    private static bool TryDigits(ReadOnlySpan<byte> text, int maxDigits, out long value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        int digits = text.Length - i;
        if (digits is < 1 || digits > maxDigits)
        {
            return false;
        }

        long n = 0;
        for (; i < text.Length; i++)
        {
            uint d = (uint)(text[i] - '0');
            if (d > 9)
            {
                return false;
            }

            n = (n * 10) + d;
        }

        value = negative ? -n : n;
        return true;
    }

    // The usual text, read in one loop: an optional '-', digits, and optionally '.' and more digits, at most 18 bytes in
    // all (so at most 18 digits): the value is mantissa / 10^fraction. Anything else (a '+', an exponent, "1.", ".5")
    // returns false and takes TryDecimal, which reads the same text to the same mantissa and exponent.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryPlainDecimal(ReadOnlySpan<byte> text, out ulong mantissa, out int fraction, out bool negative)
    {
        mantissa = 0;
        fraction = 0;
        int length = text.Length;
        negative = length > 0 && text[0] == (byte)'-';
        int i = negative ? 1 : 0;
        if (length > 18 || i >= length)
        {
            return false;
        }

        ulong m = 0;
        int dot = -1;
        for (; i < length; i++)
        {
            byte b = text[i];
            uint d = (uint)(b - '0');
            if (d <= 9)
            {
                m = (m * 10) + d;
            }
            else if (b == (byte)'.' && dot < 0 && i > (negative ? 1 : 0) && i + 1 < length)
            {
                dot = i;
            }
            else
            {
                return false;
            }
        }

        mantissa = m;
        fraction = dot < 0 ? 0 : length - dot - 1;
        return true;
    }

    // [+-]?digits[.digits]?([eE][+-]?digits)? with at most 19 digits in the mantissa (leading zeros included) and an
    // exponent of at most 3 digits: the value is mantissa × 10^exponent. Nothing else (white space, "NaN", ".5") is taken.
    private static bool TryDecimal(ReadOnlySpan<byte> text, out ulong mantissa, out int exponent, out bool negative)
    {
        mantissa = 0;
        exponent = 0;
        negative = false;
        int i = 0;
        if (text.Length > 0 && (text[0] == (byte)'-' || text[0] == (byte)'+'))
        {
            negative = text[0] == (byte)'-';
            i = 1;
        }

        int digits = 0;
        int start = i;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            mantissa = (mantissa * 10) + (uint)(text[i] - '0');
            i++;
            digits++;
        }

        if (i == start)
        {
            return false; // no integer digits
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            int fractionStart = i;
            while (i < text.Length && (uint)(text[i] - '0') <= 9)
            {
                mantissa = (mantissa * 10) + (uint)(text[i] - '0');
                i++;
                digits++;
            }

            exponent = -(i - fractionStart);
        }

        if (digits > 19)
        {
            return false;
        }

        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negativeExponent = false;
            if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+'))
            {
                negativeExponent = text[i] == (byte)'-';
                i++;
            }

            int exponentStart = i;
            int e = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9 && i - exponentStart < 3)
            {
                e = (e * 10) + (text[i] - '0');
                i++;
            }

            if (i == exponentStart)
            {
                return false;
            }

            exponent += negativeExponent ? -e : e;
        }

        if (i != text.Length)
        {
            return false;
        }

        if (mantissa == 0)
        {
            exponent = 0; // ±0 whatever the exponent
        }

        return true;
    }
}
