using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

/// <summary>Scans one value inside a container (see <see cref="FastJson.ScanArray{TScanner}"/>, <see cref="FastJson.ScanObject{TScanner}"/>).</summary>
internal interface IValueScanner
{
    /// <summary>Scans the value at <paramref name="pos"/>, at nesting <paramref name="depth"/>; moves past it when proven.</summary>
    bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth);
}

/// <summary>Scans values with a schema node (see <see cref="SchemaNode.Scan"/>).</summary>
internal readonly struct NodeScanner(SchemaNode node) : IValueScanner
{
    /// <inheritdoc />
    public bool Scan(ReadOnlySpan<byte> json, ref int pos, int depth) => node.Scan(json, ref pos, depth);
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

    // Bit b set: byte b is JSON whitespace (space, tab, line feed, carriage return).
    private const ulong WhitespaceBits = (1UL << ' ') | (1UL << '\t') | (1UL << '\n') | (1UL << '\r');

    /// <summary>Skips JSON whitespace (one comparison for the usual non-whitespace byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SkipWhitespace(ReadOnlySpan<byte> json, ref int pos)
    {
        while ((uint)pos < (uint)json.Length)
        {
            uint b = json[pos];
            if (b > ' ' || ((WhitespaceBits >> (int)b) & 1) == 0)
            {
                return;
            }

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

        int end = PlainStringEnd(json, start);
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

    /// <summary>
    /// The position of the first byte at or after <paramref name="pos"/> that is not plain string content (a quote, a
    /// backslash, a control character or a non-ASCII byte), or the length when there is none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PlainStringEnd(ReadOnlySpan<byte> json, int pos)
    {
        int end = pos;
        if (Vector128.IsHardwareAccelerated)
        {
            // 16 bytes at a time: as signed bytes, everything below 0x20 (controls) or from 0x80 (non-ASCII) is < 0x20.
            ref byte start = ref MemoryMarshal.GetReference(json);
            while (end <= json.Length - Vector128<byte>.Count)
            {
                Vector128<sbyte> bytes = Vector128.LoadUnsafe(ref start, (nuint)end).AsSByte();
                Vector128<sbyte> stops = Vector128.LessThan(bytes, Vector128.Create((sbyte)0x20))
                    | Vector128.Equals(bytes, Vector128.Create((sbyte)'"'))
                    | Vector128.Equals(bytes, Vector128.Create((sbyte)'\\'));
                if (stops != Vector128<sbyte>.Zero)
                {
                    return end + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }

                end += Vector128<byte>.Count;
            }
        }

        ReadOnlySpan<byte> plain = PlainStringBytes;
        while ((uint)end < (uint)json.Length && plain[json[end]] != 0)
        {
            end++;
        }

        return end;
    }

    /// <summary>Scans a JSON number by the RFC 8259 grammar, learning nothing of its value (the schema-less check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ScanNumberSyntax(ReadOnlySpan<byte> json, ref int pos)
    {
        int i = pos;
        if ((uint)i < (uint)json.Length && json[i] == (byte)'-')
        {
            i++;
        }

        if ((uint)i >= (uint)json.Length)
        {
            return false;
        }

        int digits = i;
        uint first = json[i] - (uint)'0';
        if (first > 9)
        {
            return false;
        }

        i = SkipDigits(json, i + 1);
        if (first == 0 && i != digits + 1)
        {
            return false; // a leading zero followed by digits
        }

        if ((uint)i < (uint)json.Length && json[i] == (byte)'.')
        {
            int fraction = i + 1;
            i = SkipDigits(json, fraction);
            if (i == fraction)
            {
                return false;
            }
        }

        if ((uint)i < (uint)json.Length && (json[i] | 0x20) == (byte)'e')
        {
            i++;
            if ((uint)i < (uint)json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            int exponent = i;
            i = SkipDigits(json, exponent);
            if (i == exponent)
            {
                return false;
            }
        }

        pos = i;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipDigits(ReadOnlySpan<byte> json, int i)
    {
        while ((uint)i < (uint)json.Length && json[i] - (uint)'0' <= 9)
        {
            i++;
        }

        return i;
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
        // One loop, no recursion: the open containers are a stack of bits (set: an object, clear: an array).
        ulong objects = 0;
        int depth = 0;
        int pos = 0;
        SkipWhitespace(json, ref pos);

    Value:
        if ((uint)pos >= (uint)json.Length)
        {
            return false;
        }

        switch (json[pos])
        {
            case (byte)'"':
                if (!ScanPlainString(json, ref pos))
                {
                    return false;
                }

                break;
            case (byte)'{':
                pos++;
                SkipWhitespace(json, ref pos);
                if ((uint)pos < (uint)json.Length && json[pos] == (byte)'}')
                {
                    pos++;
                    break;
                }

                if (depth >= MaxSyntaxDepth)
                {
                    return false;
                }

                objects |= 1UL << depth++;
                goto Key;
            case (byte)'[':
                pos++;
                SkipWhitespace(json, ref pos);
                if ((uint)pos < (uint)json.Length && json[pos] == (byte)']')
                {
                    pos++;
                    break;
                }

                if (depth >= MaxSyntaxDepth)
                {
                    return false;
                }

                objects &= ~(1UL << depth++);
                goto Value;
            case (byte)'t':
                if (!ScanLiteral(json, ref pos, "true"u8))
                {
                    return false;
                }

                break;
            case (byte)'f':
                if (!ScanLiteral(json, ref pos, "false"u8))
                {
                    return false;
                }

                break;
            case (byte)'n':
                if (!ScanLiteral(json, ref pos, "null"u8))
                {
                    return false;
                }

                break;
            default:
                if (!ScanNumberSyntax(json, ref pos))
                {
                    return false;
                }

                break;
        }

    AfterValue:
        SkipWhitespace(json, ref pos);
        if (depth == 0)
        {
            return pos == json.Length;
        }

        if ((uint)pos >= (uint)json.Length)
        {
            return false;
        }

        byte next = json[pos++];
        bool inObject = ((objects >> (depth - 1)) & 1) != 0;
        if (next != (byte)',')
        {
            if (next != (inObject ? (byte)'}' : (byte)']'))
            {
                return false;
            }

            depth--;
            goto AfterValue;
        }

        SkipWhitespace(json, ref pos);
        if (!inObject)
        {
            goto Value;
        }

    Key:
        if ((uint)pos >= (uint)json.Length || json[pos] != (byte)'"' || !ScanPlainString(json, ref pos))
        {
            return false;
        }

        SkipWhitespace(json, ref pos);
        if ((uint)pos >= (uint)json.Length || json[pos] != (byte)':')
        {
            return false;
        }

        pos++;
        SkipWhitespace(json, ref pos);
        goto Value;
    }

    // A string at pos (which holds the quote): printable ASCII found at vector speed, anything else by ScanString.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ScanPlainString(ReadOnlySpan<byte> json, ref int pos)
    {
        int end = PlainStringEnd(json, pos + 1);
        if ((uint)end < (uint)json.Length && json[end] == (byte)'"')
        {
            pos = end + 1;
            return true;
        }

        return ScanString(json, ref pos, out _); // non-ASCII text (checked to be UTF-8), or not proven
    }

    /// <summary>
    /// Scans an object at <paramref name="pos"/> (which holds <c>{</c>): keys are strings, each value is scanned by
    /// <paramref name="values"/> at <paramref name="depth"/>. The object loop of the schema's map nodes.
    /// </summary>
    public static bool ScanObject<TScanner>(ReadOnlySpan<byte> json, ref int pos, int depth, TScanner values)
        where TScanner : struct, IValueScanner
    {
        int p = pos + 1; // past '{'
        SkipWhitespace(json, ref p);
        if ((uint)p < (uint)json.Length && json[p] == (byte)'}')
        {
            pos = p + 1;
            return true;
        }

        bool closed;
        do
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
            if (!values.Scan(json, ref p, depth) || !AfterItem(json, ref p, (byte)'}', out closed))
            {
                return false;
            }
        }
        while (!closed);

        pos = p;
        return true;
    }

    /// <summary>
    /// Scans an array at <paramref name="pos"/> (which holds <c>[</c>), each item scanned by <paramref name="items"/> at
    /// <paramref name="depth"/>. The array loop of the schema's array nodes.
    /// </summary>
    public static bool ScanArray<TScanner>(ReadOnlySpan<byte> json, ref int pos, int depth, TScanner items)
        where TScanner : struct, IValueScanner
    {
        int p = pos + 1; // past '['
        SkipWhitespace(json, ref p);
        if ((uint)p < (uint)json.Length && json[p] == (byte)']')
        {
            pos = p + 1;
            return true;
        }

        bool closed;
        do
        {
            if (!items.Scan(json, ref p, depth) || !AfterItem(json, ref p, (byte)']', out closed))
            {
                return false;
            }
        }
        while (!closed);

        pos = p;
        return true;
    }

    // After an item: whitespace, then ',' (and whitespace: another item follows) or the closing bracket (closed); false on anything else.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AfterItem(ReadOnlySpan<byte> json, ref int p, byte close, out bool closed)
    {
        SkipWhitespace(json, ref p);
        closed = false;
        if ((uint)p >= (uint)json.Length)
        {
            return false;
        }

        byte next = json[p++];
        if (next == close)
        {
            closed = true;
            return true;
        }

        SkipWhitespace(json, ref p);
        return next == (byte)',';
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
