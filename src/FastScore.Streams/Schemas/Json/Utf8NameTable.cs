using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace FastScore.Streams.Schemas.Json;

/// <summary>Finds a name (record field, enum symbol) by its UTF-8 bytes without allocating.</summary>
internal sealed class Utf8NameTable
{
    private const int LinearLimit = 8;

    private readonly byte[][] _names;
    private readonly int[] _buckets;
    private readonly int _mask;

    public Utf8NameTable(IReadOnlyList<string> names)
    {
        _names = names.Select(n => Encoding.UTF8.GetBytes(n)).ToArray();
        if (_names.Length > LinearLimit)
        {
            int size = 1;
            while (size < _names.Length * 2)
            {
                size <<= 1;
            }

            _mask = size - 1;
            _buckets = new int[size];
            Array.Fill(_buckets, -1);
            for (int i = 0; i < _names.Length; i++)
            {
                int slot = Hash(_names[i]) & _mask;
                while (_buckets[slot] >= 0)
                {
                    slot = (slot + 1) & _mask;
                }

                _buckets[slot] = i;
            }
        }
        else
        {
            _buckets = [];
        }
    }

    public int Count => _names.Length;

    /// <summary>Finds the name at the reader (a string or property name token).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="hint">The index to try first (e.g. the next field in schema order).</param>
    /// <returns>The index, or -1.</returns>
    public int Find(ref Utf8JsonReader reader, int hint) =>
        reader.ValueIsEscaped ? FindEscaped(ref reader) : Find(reader.ValueSpan, hint);

    public int Find(ReadOnlySpan<byte> name, int hint)
    {
        byte[][] names = _names;
        if ((uint)hint < (uint)names.Length && SameBytes(name, names[hint]))
        {
            return hint;
        }

        if (names.Length <= LinearLimit)
        {
            for (int i = 0; i < names.Length; i++)
            {
                if (SameBytes(name, names[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        int slot = Hash(name) & _mask;
        while (true)
        {
            int index = _buckets[slot];
            if (index < 0 || SameBytes(name, names[index]))
            {
                return index;
            }

            slot = (slot + 1) & _mask;
        }
    }

    // Names are short: compare them as one or two (overlapping) machine words instead of calling SequenceEqual.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool SameBytes(ReadOnlySpan<byte> a, byte[] b)
    {
        int length = a.Length;
        if (length != b.Length)
        {
            return false;
        }

        ref byte x = ref MemoryMarshal.GetReference(a);
        ref byte y = ref MemoryMarshal.GetArrayDataReference(b);
        if (length >= 8)
        {
            if (length > 16)
            {
                return a.SequenceEqual(b);
            }

            return Unsafe.ReadUnaligned<ulong>(ref x) == Unsafe.ReadUnaligned<ulong>(ref y)
                && Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref x, length - 8)) == Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref y, length - 8));
        }

        if (length >= 4)
        {
            return Unsafe.ReadUnaligned<uint>(ref x) == Unsafe.ReadUnaligned<uint>(ref y)
                && Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref x, length - 4)) == Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref y, length - 4));
        }

        for (int i = 0; i < length; i++)
        {
            if (Unsafe.Add(ref x, i) != Unsafe.Add(ref y, i))
            {
                return false;
            }
        }

        return true;
    }

    private int FindEscaped(ref Utf8JsonReader reader)
    {
        StringValues.EnsureText(ref reader); // CopyString throws InvalidOperationException on an unpaired surrogate
        int length = reader.ValueSpan.Length;
        Span<byte> buffer = length <= 256 ? stackalloc byte[256] : new byte[length];
        int written = reader.CopyString(buffer);
        return Find(buffer[..written], -1);
    }

    private static int Hash(ReadOnlySpan<byte> name)
    {
        // FNV-1a: names are short, and a fixed hash keeps the table build deterministic.
        uint hash = 2166136261;
        foreach (byte b in name)
        {
            hash = (hash ^ b) * 16777619;
        }

        return (int)(hash & 0x7FFFFFFF);
    }
}
