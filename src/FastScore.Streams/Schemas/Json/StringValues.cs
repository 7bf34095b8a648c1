using System.Buffers;
using System.Text;
using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

/// <summary>Allocation-free checks on JSON string values (escaped or not).</summary>
internal static class StringValues
{
    /// <summary>
    /// Throws a <see cref="JsonException"/> (which the checkers report as a rejection by encoding) when the string or
    /// property name at the reader has escapes that are not Unicode text: an unpaired surrogate such as <c>\ud800</c>.
    /// <see cref="Utf8JsonReader"/> accepts those, but reading the string (<c>GetString</c>, <c>CopyString</c>) throws
    /// <see cref="InvalidOperationException"/>, and so does every consumer that turns the record into text.
    /// </summary>
    /// <remarks>Unescaped bytes are not looked at: the checkers validate a record's UTF-8 up front.</remarks>
    public static void EnsureText(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped && FindUnpairedSurrogate(reader.ValueSpan) is int at and >= 0)
        {
            throw new JsonException(UnpairedSurrogateMessage(reader.ValueSpan, at, reader.TokenStartIndex));
        }
    }

    /// <summary>
    /// The index in <paramref name="escaped"/> (a string's text between its quotes, escapes as written, as the reader
    /// has validated them) of the first <c>\uXXXX</c> escape that is an unpaired surrogate, or -1.
    /// </summary>
    public static int FindUnpairedSurrogate(ReadOnlySpan<byte> escaped)
    {
        int i = escaped.IndexOf((byte)'\\');
        while (i >= 0 && i + 1 < escaped.Length)
        {
            if (escaped[i + 1] != (byte)'u')
            {
                i = Next(escaped, i + 2);
                continue;
            }

            if (!TryHex4(escaped, i + 2, out int unit))
            {
                return i; // not an escape the reader accepts: never seen after a successful read
            }

            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return i; // a low surrogate first
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                if (i + 11 < escaped.Length && escaped[i + 6] == (byte)'\\' && escaped[i + 7] == (byte)'u'
                    && TryHex4(escaped, i + 8, out int low) && low is >= 0xDC00 and <= 0xDFFF)
                {
                    i = Next(escaped, i + 12);
                    continue;
                }

                return i; // a high surrogate without its low half
            }

            i = Next(escaped, i + 6);
        }

        return -1;

        static int Next(ReadOnlySpan<byte> text, int from)
        {
            if (from >= text.Length)
            {
                return -1;
            }

            int next = text[from..].IndexOf((byte)'\\');
            return next < 0 ? -1 : from + next;
        }
    }

    /// <summary>The rejection reason for an unpaired surrogate escape at <paramref name="at"/> of a string that starts (its opening quote) at <paramref name="tokenStart"/>.</summary>
    public static string UnpairedSurrogateMessage(ReadOnlySpan<byte> escaped, int at, long tokenStart) =>
        $"The string at byte {tokenStart} holds {Encoding.ASCII.GetString(escaped.Slice(at, Math.Min(6, escaped.Length - at)))}, an unpaired surrogate: it is not Unicode text.";

    private static bool TryHex4(ReadOnlySpan<byte> text, int at, out int value)
    {
        value = 0;
        if (at + 4 > text.Length)
        {
            return false;
        }

        for (int k = 0; k < 4; k++)
        {
            int digit = HexValue(text[at + k]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>The number of characters when every one is in U+0000–U+00FF (one byte each), else -1.</summary>
    public static int Latin1Length(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Latin1Length(reader.ValueSpan);
        }

        EnsureText(ref reader);
        int length = reader.ValueSpan.Length;
        byte[]? rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        Span<byte> buffer = rented ?? stackalloc byte[256];
        try
        {
            int written = reader.CopyString(buffer);
            return Latin1Length(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static int Latin1Length(ReadOnlySpan<byte> utf8)
    {
        if (Ascii.IsValid(utf8))
        {
            return utf8.Length;
        }

        // The record is valid UTF-8 (checked up front): U+0080–U+00FF is C2/C3 + one continuation byte.
        int count = 0;
        for (int i = 0; i < utf8.Length; i++, count++)
        {
            byte b = utf8[i];
            if (b >= 0x80)
            {
                if (b is not (0xC2 or 0xC3))
                {
                    return -1;
                }

                i++;
            }
        }

        return count;
    }

    /// <summary>Whether the string is a UUID in its 36-character form (8-4-4-4-12 hex digits).</summary>
    public static bool IsUuid(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return IsUuid(reader.ValueSpan);
        }

        if (reader.ValueSpan.Length > 36 * 6)
        {
            return false;
        }

        EnsureText(ref reader);
        Span<byte> unescaped = stackalloc byte[36 * 6];
        int written = reader.CopyString(unescaped);
        return IsUuid(unescaped[..written]);
    }

    public static bool IsUuid(ReadOnlySpan<byte> text)
    {
        if (text.Length != 36)
        {
            return false;
        }

        for (int i = 0; i < 36; i++)
        {
            byte b = text[i];
            bool ok = i is 8 or 13 or 18 or 23 ? b == (byte)'-' : char.IsAsciiHexDigit((char)b);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The path segment for a map key: <c>.key</c> for identifier-like keys, else <c>["key"]</c>.</summary>
    public static string KeySegment(ReadOnlySpan<byte> rawKey)
    {
        bool identifier = !rawKey.IsEmpty && !char.IsAsciiDigit((char)rawKey[0]);
        foreach (byte b in rawKey)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || b == (byte)'_'))
            {
                identifier = false;
                break;
            }
        }

        string key = Encoding.UTF8.GetString(rawKey);
        return identifier ? "." + key : $"[\"{key}\"]";
    }
}
