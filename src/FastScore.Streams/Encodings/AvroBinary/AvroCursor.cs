using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Reads Avro binary values from one record's bytes. Nothing throws: every read returns <see langword="false"/> on bytes
/// that are not a value of the type, and records why (<see cref="Error"/>), where (<see cref="ErrorPosition"/>) and in
/// which field (<see cref="Path"/>, built while the failure unwinds). The hot path only moves <see cref="Position"/>.
/// </summary>
internal ref struct AvroCursor
{
    /// <summary>The deepest nesting of records, arrays, maps and unions a record may have (a guard against stack overflow).</summary>
    public const int MaxDepth = 64;

    public ReadOnlySpan<byte> Data;
    public int Position;
    public int Depth;
    public string? Error;
    public int ErrorPosition;
    public string Path;
    public bool IsSchemaError;
    public bool Truncated;
    public long EmptyItems;

    public AvroCursor(ReadOnlySpan<byte> data)
    {
        Data = data;
        Position = 0;
        Depth = 0;
        Error = null;
        ErrorPosition = 0;
        Path = "";
        IsSchemaError = false;
        Truncated = false;
        EmptyItems = 0;
    }

    /// <summary>Gets a value indicating whether every byte was read.</summary>
    public readonly bool AtEnd => Position == Data.Length;

    /// <summary>Gets the reason in the documented form: <c>$.path: problem at byte N</c>.</summary>
    public readonly string Describe() => $"${Path}: {Error ?? "invalid record"} at byte {ErrorPosition}";

    /// <summary>Records a failure (bytes that are not a value: truncated, overlong, ...) at <paramref name="at"/>; returns <see langword="false"/>.</summary>
    public bool Fail(string message, int at)
    {
        Error ??= message;
        ErrorPosition = at;
        return false;
    }

    /// <summary>Records that the record ends inside a value (more bytes could complete it); returns <see langword="false"/>.</summary>
    public bool FailTruncated(string message, int at)
    {
        Truncated = Error is null;
        return Fail(message, at);
    }

    /// <summary>Records a value that the bytes hold but the schema or the target does not allow; returns <see langword="false"/>.</summary>
    public bool FailSchema(string message, int at)
    {
        IsSchemaError = Error is null || IsSchemaError;
        return Fail(message, at);
    }

    /// <summary>Prefixes the path with a record field (called while a failure unwinds); returns <see langword="false"/>.</summary>
    public bool InField(string name)
    {
        Path = (IsPlainName(name) ? "." + name : "[\"" + name + "\"]") + Path;
        return false;
    }

    /// <summary>Prefixes the path with an array index (called while a failure unwinds); returns <see langword="false"/>.</summary>
    public bool InItem(long index)
    {
        Path = "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" + Path;
        return false;
    }

    /// <summary>The most array items that may take no bytes (nulls, empty records) one record may hold: more would take long to walk.</summary>
    public const long MaxEmptyItems = 1 << 20;

    /// <summary>Counts a block of items that may take no bytes against <see cref="MaxEmptyItems"/>.</summary>
    public bool CountEmptyItems(long count, int at)
    {
        if (count <= MaxEmptyItems - EmptyItems)
        {
            EmptyItems += count;
            return true;
        }

        return FailSchema($"more than {MaxEmptyItems} array items that may be empty (nulls, empty records) in one record", at);
    }

    /// <summary>Enters a nested value; fails beyond <see cref="MaxDepth"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Enter() => ++Depth <= MaxDepth || Fail($"nested deeper than {MaxDepth} levels", Position);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Leave() => Depth--;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadLong(out long value)
    {
        ReadOnlySpan<byte> data = Data;
        int pos = Position;
        if ((uint)pos < (uint)data.Length)
        {
            uint b = data[pos];
            if (b < 0x80)
            {
                Position = pos + 1;
                value = (long)(b >> 1) ^ -(long)(b & 1);
                return true;
            }
        }

        return ReadLongSlow(out value);
    }

    private bool ReadLongSlow(out long value)
    {
        ReadOnlySpan<byte> data = Data;
        int pos = Position;
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= data.Length)
            {
                value = 0;
                return FailTruncated("truncated (a long ends past the record)", Position);
            }

            ulong b = data[pos++];
            if (shift == 63 && b > 1)
            {
                break;
            }

            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                Position = pos;
                value = (long)(result >> 1) ^ -(long)(result & 1);
                return true;
            }
        }

        value = 0;
        return Fail("a variable-length long of more than 64 bits", Position);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadInt(out int value)
    {
        ReadOnlySpan<byte> data = Data;
        int pos = Position;
        if ((uint)pos < (uint)data.Length)
        {
            uint b = data[pos];
            if (b < 0x80)
            {
                Position = pos + 1;
                value = (int)(b >> 1) ^ -(int)(b & 1);
                return true;
            }
        }

        return ReadIntSlow(out value);
    }

    private bool ReadIntSlow(out int value)
    {
        int start = Position;
        if (!ReadLongSlow(out long wide))
        {
            value = 0;
            return false;
        }

        if (Position - start > 5 || wide is < int.MinValue or > int.MaxValue)
        {
            value = 0;
            return FailSchema($"expected int, got {wide}", start);
        }

        value = (int)wide;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadFloat(out float value)
    {
        int pos = Position;
        if (Data.Length - pos >= 4)
        {
            value = BinaryPrimitives.ReadSingleLittleEndian(Data[pos..]);
            Position = pos + 4;
            return true;
        }

        value = 0;
        return FailTruncated("truncated (a float ends past the record)", pos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadDouble(out double value)
    {
        int pos = Position;
        if (Data.Length - pos >= 8)
        {
            value = BinaryPrimitives.ReadDoubleLittleEndian(Data[pos..]);
            Position = pos + 8;
            return true;
        }

        value = 0;
        return FailTruncated("truncated (a double ends past the record)", pos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBoolean(out bool value)
    {
        int pos = Position;
        if ((uint)pos < (uint)Data.Length)
        {
            byte b = Data[pos];
            if (b <= 1)
            {
                value = b == 1;
                Position = pos + 1;
                return true;
            }

            value = false;
            return FailSchema($"expected boolean (0 or 1), got byte {b}", pos);
        }

        value = false;
        return FailTruncated("truncated (a boolean ends past the record)", pos);
    }

    /// <summary>Reads a length-prefixed byte string (bytes, or a string's UTF-8) without copying it.</summary>
    public bool ReadSpan(out ReadOnlySpan<byte> value)
    {
        int start = Position;
        if (!ReadLong(out long length))
        {
            value = default;
            return false;
        }

        if (length < 0)
        {
            value = default;
            return Fail($"a negative length ({length})", start);
        }

        if (length > Data.Length - Position)
        {
            value = default;
            return FailTruncated($"truncated (a value of {length} bytes ends past the record)", start);
        }

        value = Data.Slice(Position, (int)length);
        Position += (int)length;
        return true;
    }

    /// <summary>Reads a string, checking that it is UTF-8.</summary>
    public bool ReadString(out string? value)
    {
        int start = Position;
        if (!ReadSpan(out ReadOnlySpan<byte> bytes))
        {
            value = null;
            return false;
        }

        if (bytes.IsEmpty)
        {
            value = "";
            return true;
        }

        if (!Utf8.IsValid(bytes))
        {
            value = null;
            return Fail("a string that is not UTF-8", start);
        }

        value = Encoding.UTF8.GetString(bytes);
        return true;
    }

    /// <summary>Reads a string's UTF-8 bytes, checking them, without decoding.</summary>
    public bool ReadUtf8(out ReadOnlySpan<byte> value)
    {
        int start = Position;
        if (!ReadSpan(out value))
        {
            return false;
        }

        return Utf8.IsValid(value) || Fail("a string that is not UTF-8", start);
    }

    /// <summary>Reads the bytes of a fixed of <paramref name="size"/> bytes.</summary>
    public bool ReadFixed(int size, out ReadOnlySpan<byte> value)
    {
        int pos = Position;
        if (Data.Length - pos >= size)
        {
            value = Data.Slice(pos, size);
            Position = pos + size;
            return true;
        }

        value = default;
        return FailTruncated($"truncated (a fixed of {size} bytes ends past the record)", pos);
    }

    /// <summary>
    /// Reads the count of the next block of an array or map (0 ends it). A negative count is followed by the block's
    /// size in bytes, which is read and ignored. Each item takes at least <paramref name="minItemBytes"/> bytes, so a
    /// count that the rest of the record cannot hold fails here (before anything is allocated for it).
    /// </summary>
    public bool ReadBlockCount(int minItemBytes, out long count)
    {
        int start = Position;
        if (!ReadLong(out count))
        {
            return false;
        }

        if (count < 0)
        {
            if (count == long.MinValue)
            {
                return Fail("an invalid block count", start);
            }

            count = -count;
            if (!ReadLong(out long size))
            {
                return false;
            }

            if (size < 0)
            {
                return Fail($"a negative block size ({size})", start);
            }
        }

        if (minItemBytes > 0 && count > (Data.Length - Position) / minItemBytes)
        {
            return FailTruncated($"truncated (a block of {count} items ends past the record)", start);
        }

        return true;
    }

    /// <summary>
    /// Reads the count of the next block of an array or map (0 ends it; see <see cref="ReadBlockCount"/>); when items may
    /// take no bytes (<paramref name="minItemBytes"/> is 0), counts them against <see cref="MaxEmptyItems"/>.
    /// </summary>
    public bool NextBlock(int minItemBytes, out long count)
    {
        int start = Position;
        return ReadBlockCount(minItemBytes, out count) && (minItemBytes != 0 || count == 0 || CountEmptyItems(count, start));
    }

    /// <summary>
    /// Reads the index of the branch a union's writer wrote and picks what reads that branch; fails on a branch that does
    /// not exist, or that cannot be read (<paramref name="errors"/> says why).
    /// </summary>
    public bool ReadBranch<T>(T?[] branches, string?[] errors, [NotNullWhen(true)] out T? chosen)
        where T : class
    {
        int start = Position;
        chosen = null;
        if (!ReadInt(out int branch))
        {
            return false;
        }

        if ((uint)branch >= (uint)branches.Length)
        {
            return FailSchema($"union branch {branch} does not exist (the union has {branches.Length})", start);
        }

        chosen = branches[branch];
        return chosen is not null || FailSchema(errors[branch] ?? "the union branch cannot be read", start);
    }

    private static bool IsPlainName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
