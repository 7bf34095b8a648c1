using System.Buffers;
using System.Text;
using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

/// <summary>Allocation-free checks on JSON string values (escaped or not).</summary>
internal static class StringValues
{
    /// <summary>The number of characters when every one is in U+0000–U+00FF (one byte each), else -1.</summary>
    public static int Latin1Length(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Latin1Length(reader.ValueSpan);
        }

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
