using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Writes Avro binary values into an <see cref="IBufferWriter{T}"/>, asking it for memory in pieces. Call
/// <see cref="Flush"/> at the end: until then the written bytes are not committed to the writer.
/// </summary>
internal ref struct AvroOutput
{
    private readonly IBufferWriter<byte> _writer;
    private Span<byte> _span;
    private int _used;

    /// <summary>Why a value could not be written (set by <see cref="Fail"/>).</summary>
    public string? Error;

    /// <summary>Where, built while the failure unwinds.</summary>
    public string Path;

    public AvroOutput(IBufferWriter<byte> writer)
    {
        _writer = writer;
        _span = writer.GetSpan(256);
        _used = 0;
        Error = null;
        Path = "";
    }

    /// <summary>Records why a value cannot be written; returns <see langword="false"/>.</summary>
    public bool Fail(string message)
    {
        Error ??= message;
        return false;
    }

    /// <summary>Prefixes the path with a field (while a failure unwinds); returns <see langword="false"/>.</summary>
    public bool InField(string name)
    {
        Path = "." + name + Path;
        return false;
    }

    /// <summary>Prefixes the path with an item index (while a failure unwinds); returns <see langword="false"/>.</summary>
    public bool InItem(int index)
    {
        Path = "[" + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]" + Path;
        return false;
    }

    /// <summary>Gets the failure in the documented form: <c>$.path: problem</c>.</summary>
    public readonly string Describe() => $"${Path}: {Error ?? "cannot be written"}";

    /// <summary>Commits what was written.</summary>
    public void Flush()
    {
        _writer.Advance(_used);
        _used = 0;
        _span = default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Span<byte> Take(int count)
    {
        if (_span.Length - _used < count)
        {
            Grow(count);
        }

        Span<byte> taken = _span.Slice(_used, count);
        _used += count;
        return taken;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        _writer.Advance(_used);
        _used = 0;
        _span = _writer.GetSpan(Math.Max(count, 4096));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteLong(long value)
    {
        ulong n = (ulong)((value << 1) ^ (value >> 63));
        if (n < 0x80 && _used < _span.Length)
        {
            _span[_used++] = (byte)n;
            return;
        }

        WriteVarint(n);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteInt(int value) => WriteLong(value);

    private void WriteVarint(ulong n)
    {
        Span<byte> span = Take(10);
        int i = 0;
        while (n >= 0x80)
        {
            span[i++] = (byte)(n | 0x80);
            n >>= 7;
        }

        span[i++] = (byte)n;
        _used -= 10 - i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteFloat(float value) => BinaryPrimitives.WriteSingleLittleEndian(Take(4), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBoolean(bool value) => Take(1)[0] = value ? (byte)1 : (byte)0;

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        if (value.Length <= 4096)
        {
            value.CopyTo(Take(value.Length));
            return;
        }

        _writer.Advance(_used);
        _used = 0;
        _writer.Write(value);
        _span = _writer.GetSpan(256);
    }

    /// <summary>Writes a string as UTF-8 (an unpaired surrogate is a <see cref="StreamFormatException"/>).</summary>
    public void WriteString(string value)
    {
        if (value.Length <= 1024)
        {
            // Worst case 3 bytes per UTF-16 unit, after a length of at most 2 bytes (3 KiB + 1 < 2^14).
            Span<byte> span = Take(2 + (value.Length * 3));
            int length;
            try
            {
                length = Utf8Strict.GetBytes(value, span[2..]);
            }
            catch (EncoderFallbackException ex)
            {
                _used -= span.Length;
                throw new StreamFormatException($"The string holds an unpaired surrogate at index {ex.Index}: it is not Unicode text.", ex);
            }

            int prefix = length < 64 ? 1 : 2;
            if (prefix == 1)
            {
                span[0] = (byte)(length << 1);
                span.Slice(2, length).CopyTo(span[1..]);
            }
            else
            {
                uint n = (uint)length << 1;
                span[0] = (byte)(n | 0x80);
                span[1] = (byte)(n >> 7);
            }

            _used -= span.Length - prefix - length;
            return;
        }

        byte[] bytes;
        try
        {
            bytes = Utf8Strict.GetBytes(value);
        }
        catch (EncoderFallbackException ex)
        {
            throw new StreamFormatException($"The string holds an unpaired surrogate at index {ex.Index}: it is not Unicode text.", ex);
        }

        WriteBytes(bytes);
    }

    /// <summary>UTF-8 that throws on unpaired surrogates instead of writing U+FFFD.</summary>
    public static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
