using System.Buffers;
using System.Buffers.Text;

namespace FastScore.Streams.Transports.Http;

/// <summary>The result of <see cref="ChunkedDecoder.TryRead"/>.</summary>
internal enum ChunkStatus
{
    /// <summary>No whole chunk is buffered; nothing was consumed.</summary>
    NeedMore,

    /// <summary>A chunk was read.</summary>
    Chunk,

    /// <summary>The last chunk and the trailers were read: the body ended.</summary>
    End,
}

/// <summary>
/// Decodes the chunked transfer coding of HTTP/1.1 (RFC 9112 §7.1) from raw bytes, keeping each chunk's boundaries:
/// <c>chunk-size [; ext] CRLF data CRLF</c>, ended by a zero-size chunk, trailers and an empty line. Chunk extensions
/// and trailers are ignored. Malformed input is a <see cref="FormatException"/> naming what is wrong, never anything
/// else (property-tested with arbitrary bytes).
/// </summary>
internal static class ChunkedDecoder
{
    /// <summary>The longest size line accepted (with extensions).</summary>
    public const int MaxSizeLine = 4096;

    /// <summary>Reads one chunk from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The buffered bytes; on <see cref="ChunkStatus.Chunk"/> and <see cref="ChunkStatus.End"/> it is advanced past what was read.</param>
    /// <param name="maxChunk">The largest chunk accepted.</param>
    /// <param name="chunk">The chunk's data (valid while <paramref name="buffer"/>'s memory is).</param>
    /// <returns>What was read.</returns>
    /// <exception cref="FormatException">The bytes are not chunked transfer coding, or a chunk is longer than <paramref name="maxChunk"/>.</exception>
    public static ChunkStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxChunk, out ReadOnlySequence<byte> chunk)
    {
        chunk = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> sizeLine, "\r\n"u8))
        {
            return reader.Remaining > MaxSizeLine ? throw new FormatException("a chunk's size line is longer than 4096 bytes") : ChunkStatus.NeedMore;
        }

        if (sizeLine.Length > MaxSizeLine)
        {
            throw new FormatException("a chunk's size line is longer than 4096 bytes");
        }

        Span<byte> line = stackalloc byte[(int)sizeLine.Length];
        sizeLine.CopyTo(line);
        int semicolon = line.IndexOf((byte)';');
        ReadOnlySpan<byte> hex = (semicolon >= 0 ? line[..semicolon] : line).Trim((byte)' ').Trim((byte)'\t');
        if (hex.IsEmpty || hex.Length > 16 || !Utf8Parser.TryParse(hex, out ulong size, out int used, 'x') || used != hex.Length)
        {
            throw new FormatException("a chunk's size line is not a hexadecimal number");
        }

        if (size > (ulong)maxChunk)
        {
            throw new FormatException($"a chunk is longer than {maxChunk} bytes");
        }

        if (size == 0)
        {
            // trailers, each ending with CRLF, then an empty line
            long start = reader.Consumed;
            while (reader.TryReadTo(out ReadOnlySequence<byte> trailer, "\r\n"u8))
            {
                if (trailer.IsEmpty)
                {
                    buffer = buffer.Slice(reader.Position);
                    return ChunkStatus.End;
                }
            }

            return reader.Remaining + (reader.Consumed - start) > 64 * 1024 ? throw new FormatException("the trailers are longer than 64 KiB") : ChunkStatus.NeedMore;
        }

        if (reader.Remaining < (long)size + 2)
        {
            return ChunkStatus.NeedMore;
        }

        chunk = reader.UnreadSequence.Slice(0, (long)size);
        reader.Advance((long)size);
        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw new FormatException("a chunk's data does not end with CRLF");
        }

        buffer = buffer.Slice(reader.Position);
        return ChunkStatus.Chunk;
    }
}
