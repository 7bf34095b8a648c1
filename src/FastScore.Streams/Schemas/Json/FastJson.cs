using System.Buffers;
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

    // 1 for bytes that need no attention inside a string: printable ASCII except the quote and the backslash (and DEL).
    private static ReadOnlySpan<byte> PlainStringBytes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];

    // Within a string with non-ASCII text: what still needs attention (the quote, the backslash, control characters).
    private static readonly SearchValues<byte> s_stringStops = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte)'"', (byte)'\\']);

    /// <summary>
    /// Scans a string without escapes or control characters; <paramref name="content"/> is between the quotes.
    /// Non-ASCII content is checked to be UTF-8 here, so the scanner as a whole proves the record is UTF-8.
    /// </summary>
    public static bool ScanString(ReadOnlySpan<byte> json, ref int pos, out ReadOnlySpan<byte> content)
    {
        content = default;
        int start = pos + 1;
        if ((uint)pos >= (uint)json.Length || json[pos] != (byte)'"')
        {
            return false;
        }

        // Strings in records are mostly short keys and values: a table lookup per byte beats a vector search here.
        ReadOnlySpan<byte> plain = PlainStringBytes;
        int end = start;
        while ((uint)end < (uint)json.Length && plain[json[end]] != 0)
        {
            end++;
        }

        if ((uint)end >= (uint)json.Length)
        {
            return false;
        }

        if (json[end] >= 0x80)
        {
            int more = json[end..].IndexOfAny(s_stringStops);
            if (more < 0 || !System.Text.Unicode.Utf8.IsValid(json.Slice(end, more)))
            {
                return false;
            }

            end += more;
        }

        if (json[end] != (byte)'"')
        {
            return false;
        }

        content = json[start..end];
        pos = end + 1;
        return true;
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

    /// <summary>
    /// Scans a number without an exponent whose integer part has at most <paramref name="maxIntegerDigits"/> digits
    /// (the common float/double case); anything else is left to the full check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ScanPlainNumber(ReadOnlySpan<byte> json, ref int pos, int maxIntegerDigits)
    {
        int i = pos;
        if ((uint)i < (uint)json.Length && json[i] == (byte)'-')
        {
            i++;
        }

        int start = i;
        if ((uint)i >= (uint)json.Length)
        {
            return false;
        }

        if (json[i] == (byte)'0')
        {
            i++;
        }
        else
        {
            while ((uint)i < (uint)json.Length && json[i] - (uint)'0' <= 9)
            {
                i++;
            }

            if (i == start || i - start > maxIntegerDigits)
            {
                return false;
            }
        }

        if ((uint)i < (uint)json.Length && json[i] == (byte)'.')
        {
            int fraction = ++i;
            while ((uint)i < (uint)json.Length && json[i] - (uint)'0' <= 9)
            {
                i++;
            }

            if (i == fraction)
            {
                return false;
            }
        }

        if ((uint)i < (uint)json.Length && (json[i] | 0x20) == (byte)'e')
        {
            return false;
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

    /// <summary>Containers deeper than this are left to the full check (whose limit is <see cref="MaxDepth"/>).</summary>
    public const int MaxSyntaxDepth = 32;

    /// <summary>
    /// Whether <paramref name="json"/> is one JSON value (any type, whitespace around it) the scanner proves valid with
    /// no schema: RFC 8259 syntax, UTF-8 text, no escapes (a string with a backslash is left to the full check, which also
    /// rejects unpaired surrogate escapes), nesting up to <see cref="MaxSyntaxDepth"/>. Never true for a record the
    /// <c>Utf8JsonReader</c> check rejects; false only means "not proven".
    /// </summary>
    public static bool AcceptsAnyValue(ReadOnlySpan<byte> json)
    {
        int pos = 0;
        SkipWhitespace(json, ref pos);
        if (!ScanAnyValue(json, ref pos, 0))
        {
            return false;
        }

        SkipWhitespace(json, ref pos);
        return pos == json.Length;
    }

    /// <summary>Scans one JSON value of any type at <paramref name="pos"/> (see <see cref="AcceptsAnyValue"/>).</summary>
    public static bool ScanAnyValue(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        if ((uint)pos >= (uint)json.Length)
        {
            return false;
        }

        switch (json[pos])
        {
            case (byte)'"':
                return ScanString(json, ref pos, out _);
            case (byte)'{':
                return depth < MaxSyntaxDepth && ScanObject(json, ref pos, depth + 1);
            case (byte)'[':
                return depth < MaxSyntaxDepth && ScanArray(json, ref pos, depth + 1);
            case (byte)'t':
                return ScanLiteral(json, ref pos, "true"u8);
            case (byte)'f':
                return ScanLiteral(json, ref pos, "false"u8);
            case (byte)'n':
                return ScanLiteral(json, ref pos, "null"u8);
            default:
                return ScanNumber(json, ref pos, out _);
        }
    }

    private static bool ScanObject(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        int p = pos + 1; // past '{'
        SkipWhitespace(json, ref p);
        if ((uint)p < (uint)json.Length && json[p] == (byte)'}')
        {
            pos = p + 1;
            return true;
        }

        while (true)
        {
            if (!ScanString(json, ref p, out _))
            {
                return false;
            }

            SkipWhitespace(json, ref p);
            if ((uint)p >= (uint)json.Length || json[p] != (byte)':')
            {
                return false;
            }

            p++;
            SkipWhitespace(json, ref p);
            if (!ScanAnyValue(json, ref p, depth))
            {
                return false;
            }

            SkipWhitespace(json, ref p);
            if ((uint)p >= (uint)json.Length)
            {
                return false;
            }

            byte next = json[p++];
            if (next == (byte)'}')
            {
                pos = p;
                return true;
            }

            if (next != (byte)',')
            {
                return false;
            }

            SkipWhitespace(json, ref p);
        }
    }

    private static bool ScanArray(ReadOnlySpan<byte> json, ref int pos, int depth)
    {
        int p = pos + 1; // past '['
        SkipWhitespace(json, ref p);
        if ((uint)p < (uint)json.Length && json[p] == (byte)']')
        {
            pos = p + 1;
            return true;
        }

        while (true)
        {
            if (!ScanAnyValue(json, ref p, depth))
            {
                return false;
            }

            SkipWhitespace(json, ref p);
            if ((uint)p >= (uint)json.Length)
            {
                return false;
            }

            byte next = json[p++];
            if (next == (byte)']')
            {
                pos = p;
                return true;
            }

            if (next != (byte)',')
            {
                return false;
            }

            SkipWhitespace(json, ref p);
        }
    }

    private static bool ScanLiteral(ReadOnlySpan<byte> json, ref int pos, ReadOnlySpan<byte> literal)
    {
        if (!json[pos..].StartsWith(literal))
        {
            return false;
        }

        pos += literal.Length;
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
