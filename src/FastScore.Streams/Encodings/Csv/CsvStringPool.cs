using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace FastScore.Streams.Encodings.Csv;

/// <summary>
/// The strings of short ASCII fields, kept so that a value seen again is not allocated and transcoded again (CSV columns
/// repeat names, codes and categories): a fixed table of <see cref="Slots"/> strings, each in the slot its text's hash
/// picks, replaced when another text takes the slot. Memory is bounded (at most <see cref="Slots"/> strings of at most
/// <see cref="MaxLength"/> characters); any input gives the right string (a slot's string is returned only when it equals
/// the text, character for character).
/// </summary>
/// <remarks>Thread-safe without locks: a slot holds a reference to an immutable string, read and written whole; a reader
/// that loses a race to a writer sees the old string or the new one, checks it against its text either way, and at worst
/// allocates.</remarks>
internal sealed class CsvStringPool
{
    /// <summary>The longest text kept, in bytes.</summary>
    public const int MaxLength = 32;

    /// <summary>How many strings are kept (a power of two).</summary>
    public const int Slots = 1024;

    private readonly string?[] _slots = new string?[Slots];

    /// <summary>
    /// The string of <paramref name="text"/> (at most <see cref="MaxLength"/> bytes), from the table or made and kept;
    /// <see langword="null"/> when the text is not ASCII (the caller transcodes it, checking its UTF-8).
    /// </summary>
    public string? TryGet(ReadOnlySpan<byte> text)
    {
        int slot = Hash(text);
        string? kept = _slots[slot];
        if (kept is not null && kept.Length == text.Length && Ascii.Equals(text, kept))
        {
            return kept;
        }

        if (!Ascii.IsValid(text))
        {
            return null;
        }

        string made = Encoding.ASCII.GetString(text);
        _slots[slot] = made;
        return made;
    }

    // A multiplicative hash of the first, middle and last eight bytes (fewer for shorter texts) and the length, to a slot.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> text)
    {
        const ulong K1 = 0x9E37_79B9_7F4A_7C15UL;
        const ulong K2 = 0xC2B2_AE3D_27D4_EB4FUL;
        int length = text.Length;
        ulong h;
        if (length >= 8)
        {
            h = (BinaryPrimitives.ReadUInt64LittleEndian(text) * K1) ^ (BinaryPrimitives.ReadUInt64LittleEndian(text[^8..]) * K2);
            if (length > 16)
            {
                h ^= BinaryPrimitives.ReadUInt64LittleEndian(text[((length / 2) - 4)..]) * K2 * K1;
            }
        }
        else if (length >= 4)
        {
            h = ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(text) << 32 | BinaryPrimitives.ReadUInt32LittleEndian(text[^4..])) * K1;
        }
        else
        {
            h = length == 0 ? 0 : ((ulong)text[0] | ((ulong)text[length / 2] << 8) | ((ulong)text[length - 1] << 16)) * K1;
        }

        h = (h ^ (h >> 29) ^ (ulong)length) * K2;
        return (int)(h >> (64 - 10)); // Slots = 2^10
    }
}
