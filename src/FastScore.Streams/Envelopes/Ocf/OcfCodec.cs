using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace FastScore.Streams.Envelopes.Ocf;

/// <summary>
/// A block codec of Avro object container files (<c>avro.codec</c>): <c>null</c>, <c>deflate</c> (raw DEFLATE, RFC 1951),
/// <c>snappy</c> (Snappy, then the CRC-32 of the uncompressed data, big-endian) and <c>zstandard</c> (a zstd frame).
/// One instance serves one stream: not thread-safe.
/// </summary>
internal abstract class OcfCodec : IDisposable
{
    /// <summary>The codec names this library reads and writes.</summary>
    public static IReadOnlyList<string> Names { get; } = ["null", "deflate", "snappy", "zstandard"];

    /// <summary>Gets the codec's name in the header.</summary>
    public abstract string Name { get; }

    /// <summary>Creates the codec for a name (<see langword="null"/> or empty: <c>null</c>), or returns <see langword="null"/> for an unknown name.</summary>
    public static OcfCodec? Create(string? name) => (name ?? "null") switch
    {
        "" or "null" => new NullCodec(),
        "deflate" => new DeflateCodec(),
        "snappy" => new SnappyCodec(),
        "zstandard" or "zstd" => new ZstandardCodec(),
        _ => null,
    };

    /// <summary>Decompresses a block; never throws for any input bytes.</summary>
    /// <param name="compressed">The block's data.</param>
    /// <param name="maxLength">The longest decompressed block allowed (a guard against decompression bombs).</param>
    /// <param name="data">The decompressed bytes (a new array: frames may point into it).</param>
    /// <param name="error">Why the block could not be decompressed.</param>
    public abstract bool TryDecompress(ReadOnlySpan<byte> compressed, int maxLength, out ReadOnlyMemory<byte> data, out string? error);

    /// <summary>Compresses a block.</summary>
    public abstract void Compress(ReadOnlySpan<byte> data, IBufferWriter<byte> output);

    public virtual void Dispose()
    {
    }

    private protected static bool TooLong(int maxLength, out ReadOnlyMemory<byte> data, out string? error)
    {
        data = default;
        error = $"the block decompresses to more than {maxLength} bytes";
        return false;
    }

    private protected static bool ReadAll(Stream stream, int maxLength, out ReadOnlyMemory<byte> data, out string? error)
    {
        byte[] buffer = new byte[Math.Min(maxLength, 64 * 1024) + 1];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > maxLength)
                {
                    return TooLong(maxLength, out data, out error);
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxLength + 1L));
            }

            int read = stream.Read(buffer, length, buffer.Length - length);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > maxLength)
        {
            return TooLong(maxLength, out data, out error);
        }

        data = buffer.AsMemory(0, length);
        error = null;
        return true;
    }

    private sealed class NullCodec : OcfCodec
    {
        public override string Name => "null";

        public override bool TryDecompress(ReadOnlySpan<byte> compressed, int maxLength, out ReadOnlyMemory<byte> data, out string? error)
        {
            error = null;
            data = compressed.ToArray();
            return true;
        }

        public override void Compress(ReadOnlySpan<byte> data, IBufferWriter<byte> output) => output.Write(data);
    }

    private sealed class DeflateCodec : OcfCodec
    {
        public override string Name => "deflate";

        public override bool TryDecompress(ReadOnlySpan<byte> compressed, int maxLength, out ReadOnlyMemory<byte> data, out string? error)
        {
            try
            {
                using var source = new MemoryStream(compressed.ToArray(), writable: false);
                using var inflate = new DeflateStream(source, CompressionMode.Decompress);
                return ReadAll(inflate, maxLength, out data, out error);
            }
            catch (InvalidDataException ex)
            {
                data = default;
                error = "the block is not valid deflate data: " + ex.Message;
                return false;
            }
        }

        public override void Compress(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
        {
            using var buffer = new MemoryStream();
            using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflate.Write(data);
            }

            output.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
    }

    private sealed class SnappyCodec : OcfCodec
    {
        public override string Name => "snappy";

        public override bool TryDecompress(ReadOnlySpan<byte> compressed, int maxLength, out ReadOnlyMemory<byte> data, out string? error)
        {
            data = default;
            if (compressed.Length < 4)
            {
                error = "the snappy block is shorter than its CRC-32";
                return false;
            }

            ReadOnlySpan<byte> body = compressed[..^4];
            int length;
            try
            {
                length = Snappier.Snappy.GetUncompressedLength(body);
            }
            catch (InvalidDataException ex)
            {
                error = "the block is not valid snappy data: " + ex.Message;
                return false;
            }

            if (length < 0 || length > maxLength)
            {
                return TooLong(maxLength, out data, out error);
            }

            byte[] output = new byte[length];
            try
            {
                if (!Snappier.Snappy.TryDecompress(body, output, out int written) || written != length)
                {
                    error = "the block is not valid snappy data";
                    return false;
                }
            }
            catch (InvalidDataException ex)
            {
                error = "the block is not valid snappy data: " + ex.Message;
                return false;
            }

            uint expected = BinaryPrimitives.ReadUInt32BigEndian(compressed[^4..]);
            uint actual = Crc32.HashToUInt32(output);
            if (expected != actual)
            {
                error = $"the snappy block's CRC-32 is {expected:x8}, its data's {actual:x8}";
                return false;
            }

            data = output;
            error = null;
            return true;
        }

        public override void Compress(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
        {
            Span<byte> span = output.GetSpan(Snappier.Snappy.GetMaxCompressedLength(data.Length) + 4);
            int length = Snappier.Snappy.Compress(data, span);
            BinaryPrimitives.WriteUInt32BigEndian(span[length..], Crc32.HashToUInt32(data));
            output.Advance(length + 4);
        }
    }

    private sealed class ZstandardCodec : OcfCodec
    {
        private ZstdSharp.Compressor? _compressor;

        public override string Name => "zstandard";

        public override bool TryDecompress(ReadOnlySpan<byte> compressed, int maxLength, out ReadOnlyMemory<byte> data, out string? error)
        {
            try
            {
                using var source = new MemoryStream(compressed.ToArray(), writable: false);
                using var zstd = new ZstdSharp.DecompressionStream(source);
                return ReadAll(zstd, maxLength, out data, out error);
            }
            catch (Exception ex) when (ex is ZstdSharp.ZstdException or InvalidDataException or IOException or ArgumentException)
            {
                data = default;
                error = "the block is not valid zstandard data: " + ex.Message;
                return false;
            }
        }

        public override void Compress(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
        {
            _compressor ??= new ZstdSharp.Compressor(3);
            Span<byte> span = output.GetSpan(ZstdSharp.Compressor.GetCompressBound(data.Length));
            output.Advance(_compressor.Wrap(data, span));
        }

        public override void Dispose()
        {
            _compressor?.Dispose();
            base.Dispose();
        }
    }
}
