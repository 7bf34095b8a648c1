using System.Buffers;
using System.Text;

namespace FastScore.Streams.Encodings;

/// <summary>
/// FastScore's null encoding: records are raw bytes. Decodes to <c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/> or
/// <see cref="Memory{T}"/> of <see cref="byte"/>, or <see cref="string"/> (UTF-8; invalid bytes become U+FFFD).
/// </summary>
/// <remarks>
/// Control records start with the 12 bytes <c>FA 73 74 73 63 6F 72 65 2E</c> + <c>end</c>/<c>set</c>/<c>pig</c>
/// (<c>\xfastscore.end</c>); when 16 or more bytes follow, the first 16 are the id and the timestamp as two big-endian
/// unsigned 64-bit integers, and the rest is <c>misc</c> (Latin-1). Shorter trailing bytes are <c>misc</c> alone.
/// The encoding is stateless and thread-safe.
/// </remarks>
internal sealed class RawRecordEncoding : RecordEncoding
{
    /// <inheritdoc/>
    internal override bool HandsBytesAsIs => true;

    private RawRecordEncoding()
    {
    }

    /// <summary>Gets the shared instance.</summary>
    public static RawRecordEncoding Instance { get; } = new();

    /// <inheritdoc />
    public override string? Name => null;

    /// <inheritdoc />
    /// <remarks><typeparamref name="T"/> is <c>byte[]</c> (or <see cref="object"/>, which gives a <c>byte[]</c>), <see cref="ReadOnlyMemory{T}"/>, <see cref="Memory{T}"/> or <see cref="string"/>.</remarks>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is none of those.</exception>
    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        if (ByteValues.TryDecode(record, out T value))
        {
            return value;
        }

        if (typeof(T) == typeof(object))
        {
            return (T)(object)record.ToArray();
        }

        if (typeof(T) == typeof(string))
        {
            return (T)(object)Encoding.UTF8.GetString(record);
        }

        throw ByteValues.Unsupported("null (raw bytes)", typeof(T), "byte[], ReadOnlyMemory<byte> or string");
    }

    /// <inheritdoc />
    /// <remarks><typeparamref name="T"/> is bytes (written as they are) or <see cref="string"/> (written as UTF-8).</remarks>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is none of those.</exception>
    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (value is string text)
        {
            ByteValues.WriteUtf8(text, output);
        }
        else if (value is null)
        {
            throw new StreamFormatException("A null value cannot be encoded as raw bytes.");
        }
        else if (!ByteValues.TryEncode(value, output))
        {
            throw ByteValues.Unsupported("null (raw bytes)", typeof(T), "byte[], ReadOnlyMemory<byte> or string");
        }
    }

    /// <inheritdoc />
    public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        if (record.IsEmpty || record[0] != ControlWire.RawMarker)
        {
            control = default;
            return false;
        }

        return ControlWire.TryReadRaw(record, out control);
    }

    /// <inheritdoc />
    public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) => ControlWire.WriteRaw(control, output);
}
