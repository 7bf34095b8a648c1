using System.Buffers;
using FastScore.Streams.Transports.Http;

namespace FastScore.Streams.Fuzz;

/// <summary>
/// The HTTP input's chunked transfer coding decoder (<c>Chunked: true</c>): the first byte picks how the bytes arrive
/// (in pieces of 1 to 16 bytes, or at once); the rest is the body as it came off the socket. Checked: only
/// <see cref="FormatException"/> is thrown, every chunk is within the limit, a chunk's bytes are the bytes its size
/// line announced (re-encoding the chunks read gives back the bytes consumed), and more data never changes a chunk
/// already read.
/// </summary>
public static class HttpChunkedTarget
{
    private const int MaxChunk = 4096;

    public static void Run(byte[] data)
    {
        if (data.Length < 1)
        {
            return;
        }

        int piece = data[0] % 17; // 0: at once
        byte[] body = data[1..];
        var whole = Decode(body, 0, out _);
        var pieces = Decode(body, piece, out _);
        FuzzCheck.Require(pieces.Count == whole.Count && pieces.Zip(whole).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
            $"read in pieces of {piece} bytes: {pieces.Count} chunks, at once: {whole.Count}");
    }

    private static List<byte[]> Decode(byte[] body, int piece, out bool ended)
    {
        var chunks = new List<byte[]>();
        ended = false;
        int available = piece == 0 ? body.Length : Math.Min(piece, body.Length);
        int consumed = 0;
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(body, consumed, available - consumed);
            ChunkStatus status;
            try
            {
                status = ChunkedDecoder.TryRead(ref buffer, MaxChunk, out ReadOnlySequence<byte> chunk);
                if (status == ChunkStatus.Chunk)
                {
                    FuzzCheck.Require(chunk.Length is > 0 and <= MaxChunk, $"a chunk of {chunk.Length} bytes");
                    chunks.Add(chunk.ToArray());
                }
            }
            catch (FormatException)
            {
                return chunks; // a clear error: the input names the chunk and fails the stream
            }

            if (status == ChunkStatus.NeedMore)
            {
                if (available == body.Length)
                {
                    return chunks;
                }

                available = Math.Min(body.Length, available + Math.Max(piece, 1));
                continue;
            }

            consumed = available - (int)buffer.Length;
            if (status == ChunkStatus.End)
            {
                ended = true;
                return chunks;
            }
        }
    }
}
