using System.Buffers;
using System.Text;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The <c>utf-8</c> encoding: each record is UTF-8 text. Decodes to <see cref="string"/> (validated), or to
/// <c>byte[]</c>/<see cref="ReadOnlyMemory{T}"/> of <see cref="byte"/> (the bytes, unchecked).
/// </summary>
/// <remarks>
/// Control records are <c>☮fastscore.end</c>, <c>.set</c> or <c>.pig</c> (U+262E, UTF-8 <c>E2 98 AE</c>), optionally
/// followed by <c>|id|timestamp|misc</c>. The literal spelling <c>\u262efastscore.</c> is also recognised on input.
/// The encoding is stateless and thread-safe.
/// </remarks>
internal sealed class Utf8RecordEncoding : RecordEncoding
{
    /// <inheritdoc/>
    internal override bool HandsBytesAsIs => true;

    private Utf8RecordEncoding()
    {
    }

    /// <summary>Gets the shared instance.</summary>
    public static Utf8RecordEncoding Instance { get; } = new();

    /// <inheritdoc />
    public override string? Name => EncodingTypes.Utf8;

    /// <inheritdoc />
    /// <remarks><typeparamref name="T"/> is <see cref="string"/> (or <see cref="object"/>, which gives a string), <c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/> or <see cref="Memory{T}"/> of <see cref="byte"/>.</remarks>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is none of those.</exception>
    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        if (typeof(T) == typeof(string) || typeof(T) == typeof(object))
        {
            try
            {
                return (T)(object)ByteValues.StrictUtf8.GetString(record);
            }
            catch (DecoderFallbackException ex)
            {
                throw new StreamFormatException($"The record is not valid UTF-8 (at byte {ex.Index}).", ex);
            }
        }

        if (ByteValues.TryDecode(record, out T value))
        {
            return value;
        }

        throw ByteValues.Unsupported("utf-8", typeof(T), "string, byte[] or ReadOnlyMemory<byte>");
    }

    /// <inheritdoc />
    /// <remarks><typeparamref name="T"/> is <see cref="string"/> (written as UTF-8), or bytes (written as they are).</remarks>
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
            throw new StreamFormatException("A null value cannot be encoded as utf-8.");
        }
        else if (!ByteValues.TryEncode(value, output))
        {
            throw ByteValues.Unsupported("utf-8", typeof(T), "string, byte[] or ReadOnlyMemory<byte>");
        }
    }

    /// <inheritdoc />
    public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        if (record.IsEmpty || (record[0] != 0xE2 && record[0] != (byte)'\\'))
        {
            control = default;
            return false;
        }

        return ControlWire.TryReadUtf8(record, out control);
    }

    /// <inheritdoc />
    public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) => ControlWire.WriteUtf8(control, output);
}
