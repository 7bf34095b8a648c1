using System.Runtime.CompilerServices;

namespace FastScore.Streams.Schemas.Json;

/// <summary>What <see cref="FastJson.ScanNumber"/> learned about a JSON number.</summary>
internal struct NumberInfo
{
    public bool Negative;
    public bool HasFraction;
    public bool HasExponent;
    public int IntegerDigits;

    /// <summary>The magnitude of the integer part when it has at most 19 digits.</summary>
    public ulong Magnitude;
}

/// <summary>
/// The byte-level scanner behind the checker's fast path. It proves common records valid without
/// <c>Utf8JsonReader</c>; anything it does not handle (escapes, exponents it cannot decide, errors) makes it answer
/// "not proven", and the full <c>Utf8JsonReader</c> check then gives the exact verdict and message. It must never
/// accept what the full check rejects.
/// </summary>
internal static class FastJson
{
    public const int MaxDepth = 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SkipWhitespace(ReadOnlySpan<byte> json, ref int pos)
    {
        while ((uint)pos < (uint)json.Length && json[pos] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            pos++;
        }
    }

    /// <summary>Scans a string without escapes or control characters; <paramref name="content"/> is between the quotes.</summary>
    public static bool ScanString(ReadOnlySpan<byte> json, ref int pos, out ReadOnlySpan<byte> content)
    {
        content = default;
        int start = pos + 1;
        if ((uint)pos >= (uint)json.Length || json[pos] != (byte)'"')
        {
            return false;
        }

        for (int i = start; i < json.Length; i++)
        {
            byte b = json[i];
            if (b == (byte)'"')
            {
                content = json[start..i];
                pos = i + 1;
                return true;
            }

            if (b == (byte)'\\' || b < 0x20)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Scans a JSON number by the RFC 8259 grammar.</summary>
    public static bool ScanNumber(ReadOnlySpan<byte> json, ref int pos, out NumberInfo info)
    {
        info = default;
        int i = pos;
        if ((uint)i < (uint)json.Length && json[i] == (byte)'-')
        {
            info.Negative = true;
            i++;
        }

        if ((uint)i >= (uint)json.Length)
        {
            return false;
        }

        byte first = json[i];
        if (first == (byte)'0')
        {
            i++;
            info.IntegerDigits = 1;
        }
        else if (first is >= (byte)'1' and <= (byte)'9')
        {
            ulong magnitude = 0;
            int digits = 0;
            while ((uint)i < (uint)json.Length && json[i] - (uint)'0' <= 9)
            {
                if (digits < 19)
                {
                    magnitude = (magnitude * 10) + (uint)(json[i] - '0');
                }

                digits++;
                i++;
            }

            info.IntegerDigits = digits;
            info.Magnitude = magnitude;
        }
        else
        {
            return false;
        }

        if ((uint)i < (uint)json.Length && json[i] == (byte)'.')
        {
            i++;
            int fractionStart = i;
            while ((uint)i < (uint)json.Length && json[i] - (uint)'0' <= 9)
            {
                i++;
            }

            if (i == fractionStart)
            {
                return false;
            }

            info.HasFraction = true;
        }

        if ((uint)i < (uint)json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if ((uint)i < (uint)json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            int exponentStart = i;
            while ((uint)i < (uint)json.Length && json[i] - (uint)'0' <= 9)
            {
                i++;
            }

            if (i == exponentStart)
            {
                return false;
            }

            info.HasExponent = true;
        }

        pos = i;
        return true;
    }

    /// <summary>Scans an integer literal whose value lies in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static bool ScanInteger(ReadOnlySpan<byte> json, ref int pos, long min, long max)
    {
        int p = pos;
        if (!ScanNumber(json, ref p, out NumberInfo n) || n.HasFraction || n.HasExponent || n.IntegerDigits > 19)
        {
            return false;
        }

        long value;
        if (n.Negative)
        {
            if (n.Magnitude > 9_223_372_036_854_775_808UL)
            {
                return false;
            }

            value = unchecked(-(long)n.Magnitude);
        }
        else
        {
            if (n.Magnitude > long.MaxValue)
            {
                return false;
            }

            value = (long)n.Magnitude;
        }

        if (value < min || value > max)
        {
            return false;
        }

        pos = p;
        return true;
    }

    /// <summary>The kinds a value starting with <paramref name="first"/> can be.</summary>
    public static JsonKinds KindOf(byte first) => first switch
    {
        (byte)'n' => JsonKinds.Null,
        (byte)'t' or (byte)'f' => JsonKinds.Boolean,
        (byte)'"' => JsonKinds.String,
        (byte)'{' => JsonKinds.Object,
        (byte)'[' => JsonKinds.Array,
        (byte)'-' or (>= (byte)'0' and <= (byte)'9') => JsonKinds.Number,
        _ => JsonKinds.None,
    };
}
