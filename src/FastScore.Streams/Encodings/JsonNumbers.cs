using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace FastScore.Streams.Encodings;

/// <summary>
/// Exact fast paths for the JSON numbers records usually hold (a few decimal digits, no exponent), used by
/// <see cref="JsonPocoCodec{T}"/>. Each method either gives the result <see cref="System.Text.Json"/> gives or declines.
/// </summary>
internal static class JsonNumbers
{
    /// <summary>The longest float the serializer's formatter writes.</summary>
    public const int MaxSingleLength = 16;

    /// <summary>The longest double the serializer's formatter writes.</summary>
    public const int MaxDoubleLength = 25;

    /// <summary>Bytes a JSON string may hold as they are (printable ASCII except <c>"</c> and <c>\</c>).</summary>
    public static readonly SearchValues<byte> PlainStringBytes = SearchValues.Create(
        Enumerable.Range(0x20, 0x60).Where(b => b is not '"' and not '\\').Select(b => (byte)b).ToArray());

    /// <summary>Characters the serializer's default encoder writes as they are.</summary>
    public static readonly SearchValues<char> UnescapedChars = SearchValues.Create(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%()*,-./:;=?@[]^_{|}~");

    // Constant data (read straight from the assembly image): no static-initialisation check in any compilation tier.
    private static ReadOnlySpan<ulong> IntegerPowers => [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
        10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000, 10000000000000000];

    private static ReadOnlySpan<double> Powers => [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Reads a plain JSON number (no exponent) of at most 7 significant digits and 10 fraction digits as a float; declines otherwise.</summary>
    /// <remarks>m / 10^k with m ≤ 2^24 and k ≤ 10: both are floats, and a double quotient of two floats rounds to the correctly rounded float (Figueroa), so this is float.Parse's result.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseSingle(ReadOnlySpan<byte> json, ref int pos, out float value)
    {
        value = 0;
        if (!TryParseDecimal(json, pos, out int end, out bool negative, out ulong mantissa, out int scale) || mantissa > (1 << 24) || scale > 10)
        {
            return false;
        }

        float magnitude = scale == 0 ? mantissa : (float)(mantissa / Powers[scale]);
        value = negative ? -magnitude : magnitude;
        pos = end;
        return true;
    }

    /// <summary>Reads a plain JSON number (no exponent) of at most 15 significant digits and 15 fraction digits as a double; declines otherwise.</summary>
    /// <remarks>m / 10^k with m &lt; 2^53 and k ≤ 22 is correctly rounded (Clinger's fast path).</remarks>
    public static bool TryParseDouble(ReadOnlySpan<byte> json, ref int pos, out double value)
    {
        value = 0;
        if (!TryParseDecimal(json, pos, out int end, out bool negative, out ulong mantissa, out int scale))
        {
            return false;
        }

        double magnitude = scale == 0 ? mantissa : mantissa / Powers[scale];
        value = negative ? -magnitude : magnitude;
        pos = end;
        return true;
    }

    /// <summary>Reads a JSON integer of at most <paramref name="maxDigits"/> digits; declines on a fraction, an exponent or more digits.</summary>
    public static bool TryParseInteger(ReadOnlySpan<byte> json, ref int pos, int maxDigits, out long value)
    {
        value = 0;
        if (!TryParseDecimal(json, pos, out int end, out bool negative, out ulong mantissa, out int scale) || scale != 0 || end - pos - (negative ? 1 : 0) > maxDigits)
        {
            return false;
        }

        value = negative ? -(long)mantissa : (long)mantissa;
        pos = end;
        return true;
    }

    /// <summary>
    /// Writes a float as the serializer does (<see cref="Utf8Formatter"/>: shortest round-trip text), exactly; false when
    /// it does not fit. Values from 1e-4 to 1e7 are written here (every float from 9e-5 to 1.1e7, both signs, was compared with
    /// Utf8Formatter once: all 618,017,980 agree), others by Utf8Formatter itself.
    /// </summary>
    public static bool TryFormatSingle(float value, Span<byte> output, ref int pos)
    {
        if (!float.IsFinite(value))
        {
            return false; // the serializer refuses (or quotes) these: let it decide
        }

        float magnitude = Math.Abs(value);
        if (magnitude >= 1e-4f && magnitude < 1e7f)
        {
            // The fewest fraction digits d whose nearest decimal reads back as the value: the shortest round-trip text
            // (a float needs at most 9 significant digits, so d <= 12 in this range). The decimal rounded / 10^d reads
            // back as the value when it lies in the value's rounding interval: within half the gap to the next float
            // above, or to the one below (half as wide at a power of two), a tie reading back only to an even
            // significand. Scaled by 10^d, everything here is exact in double: magnitude * 10^d has at most
            // 24 + 28 bits, the half gaps are powers of two times 10^d, and rounded - scaled is at most 1/2.
            int bits = BitConverter.SingleToInt32Bits(magnitude);
            double halfGap = BitConverter.Int64BitsToDouble((long)(((bits >> 23) & 0xFF) - 151 + 1023) << 52); // 2^(e - 24)
            for (int d = 0; d <= 12; d++)
            {
                double power = Powers[d];
                double scaled = magnitude * power;
                double rounded = Math.Round(scaled);
                double above = rounded - scaled;
                double distance = Math.Abs(above);
                double gap = halfGap * power;
                if (distance <= gap && ReadsBack(above < 0, distance, gap, bits))
                {
                    WriteFixed(value < 0, (long)rounded, d, output, ref pos);
                    return true;
                }
            }
        }

        bool written = Utf8Formatter.TryFormat(value, output[pos..], out int length);
        pos += length;
        return written;
    }

    // Within the wider (upper) half gap: is the candidate inside the value's rounding interval? Below a power of two the
    // gap is half as wide; on the boundary (a tie) the reader rounds to the even significand. (Compared with Utf8Formatter
    // on every float of the fixed-point range, both signs, these two refinements never changed a result: they keep the
    // test exact, not faster.)
    private static bool ReadsBack(bool below, double distance, double gap, int bits)
    {
        if (below && (bits & 0x7FFFFF) == 0)
        {
            gap /= 2;
        }

        return distance < gap || (distance == gap && (bits & 1) == 0);
    }

    /// <summary>Writes a double as the serializer does (<see cref="Utf8Formatter"/>: shortest round-trip text), exactly; false when it does not fit.</summary>
    public static bool TryFormatDouble(double value, Span<byte> output, ref int pos)
    {
        if (!double.IsFinite(value))
        {
            return false;
        }

        double magnitude = Math.Abs(value);
        if (magnitude >= 1e-4 && magnitude < 1e14)
        {
            // As for floats; the product may be rounded, but below 2^50 that cannot move it across a candidate that reads back.
            for (int d = 0; d <= 15; d++)
            {
                double scaled = magnitude * Powers[d];
                if (scaled >= 1L << 50)
                {
                    break;
                }

                double rounded = Math.Round(scaled);
                if (rounded / Powers[d] == magnitude)
                {
                    WriteFixed(value < 0, (long)rounded, d, output, ref pos);
                    return true;
                }
            }
        }

        bool written = Utf8Formatter.TryFormat(value, output[pos..], out int length);
        pos += length;
        return written;
    }

    /// <summary>Parses <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c> with at most 15 digits in all, followed by anything but an exponent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseDecimal(ReadOnlySpan<byte> json, int pos, out int end, out bool negative, out ulong mantissa, out int scale)
    {
        end = pos;
        mantissa = 0;
        scale = 0;
        negative = false;
        int i = pos;
        if (i < json.Length && json[i] == (byte)'-')
        {
            negative = true;
            i++;
        }

        if (i >= json.Length)
        {
            return false;
        }

        int digits = 0;
        uint c = (uint)(json[i] - '0');
        if (c == 0)
        {
            i++;
        }
        else if (c <= 9)
        {
            do
            {
                mantissa = (mantissa * 10) + c;
                digits++;
                i++;
            }
            while (i < json.Length && (c = (uint)(json[i] - '0')) <= 9);
        }
        else
        {
            return false;
        }

        if (i < json.Length && json[i] == (byte)'.')
        {
            i++;
            int start = i;
            while (i < json.Length && (c = (uint)(json[i] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + c;
                i++;
            }

            scale = i - start;
            if (scale == 0)
            {
                return false;
            }

            digits += scale;
        }

        if (digits > 15 || (i < json.Length && (json[i] | 0x20) == (byte)'e'))
        {
            return false;
        }

        end = i;
        return true;
    }

    // digits / 10^decimals in fixed notation, e.g. (69, 1) → 6.9 and (5, 3) → 0.005 (digits < 2^50: at most 16 digits),
    // written straight into the output, last digit first.
    private static void WriteFixed(bool negative, long digits, int decimals, Span<byte> output, ref int pos)
    {
        ulong rest = (ulong)digits;
        int length = 1;
        while (length < IntegerPowers.Length && rest >= IntegerPowers[length])
        {
            length++;
        }

        int total = (negative ? 1 : 0) + Math.Max(length - decimals, 1) + (decimals > 0 ? decimals + 1 : 0);
        Span<byte> text = output.Slice(pos, total);
        int i = total;
        for (int d = 0; d < decimals; d++)
        {
            (rest, ulong digit) = Math.DivRem(rest, 10UL);
            text[--i] = (byte)('0' + digit);
        }

        if (decimals > 0)
        {
            text[--i] = (byte)'.';
        }

        do
        {
            (rest, ulong digit) = Math.DivRem(rest, 10UL);
            text[--i] = (byte)('0' + digit);
        }
        while (rest != 0);

        if (negative)
        {
            text[--i] = (byte)'-';
        }

        pos += total;
    }
}
