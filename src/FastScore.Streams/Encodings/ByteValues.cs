using System.Buffers;
using System.Text;

namespace FastScore.Streams.Encodings;

/// <summary>The host types every encoding hands over without interpretation (raw bytes), shared by the encodings.</summary>
internal static class ByteValues
{
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes to <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or <c>Memory&lt;byte&gt;</c> (a copy of the record).</summary>
    public static bool TryDecode<T>(ReadOnlySpan<byte> record, out T value)
    {
        if (typeof(T) == typeof(byte[]))
        {
            value = (T)(object)record.ToArray();
            return true;
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            value = (T)(object)new ReadOnlyMemory<byte>(record.ToArray());
            return true;
        }

        if (typeof(T) == typeof(Memory<byte>))
        {
            value = (T)(object)new Memory<byte>(record.ToArray());
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Writes <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or <c>Memory&lt;byte&gt;</c> as they are.</summary>
    public static bool TryEncode<T>(T value, IBufferWriter<byte> output)
    {
        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            output.Write(((ReadOnlyMemory<byte>)(object)value!).Span);
            return true;
        }

        if (typeof(T) == typeof(Memory<byte>))
        {
            output.Write(((Memory<byte>)(object)value!).Span);
            return true;
        }

        if (value is byte[] bytes)
        {
            output.Write(bytes);
            return true;
        }

        return false;
    }

    /// <summary>Writes text as UTF-8, failing on unpaired surrogates.</summary>
    public static void WriteUtf8(ReadOnlySpan<char> text, IBufferWriter<byte> output)
    {
        try
        {
            StrictUtf8.GetBytes(text, output);
        }
        catch (EncoderFallbackException ex)
        {
            throw new StreamFormatException("The text cannot be encoded as UTF-8 (it has an unpaired surrogate).", ex);
        }
    }

    public static NotSupportedException Unsupported(string encoding, Type type, string supported) =>
        new($"The {encoding} encoding cannot represent a {type}; use {supported}.");
}
