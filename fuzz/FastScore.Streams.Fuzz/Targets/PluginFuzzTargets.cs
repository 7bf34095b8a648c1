using System.Buffers;
using FastScore.Samples.Plugin;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Fuzz;

/// <summary>
/// The sample package's <c>netstring</c> envelope and <c>kv</c> encoding (samples/FastScore.Samples.Plugin), as an
/// outsider's code decoding bytes: the first byte picks how the bytes arrive (in pieces of 1 to 16 bytes, or at once),
/// the MaxRecordSize (8..135) and the OnOversize policy; the rest is the stream. Checked: the framer never makes a
/// step without consuming bytes, consumes every byte by the end, throws only <see cref="StreamFormatException"/> and only
/// under <see cref="OversizePolicy.Fail"/>, frames and rejects the same records whatever the pieces; every frame
/// decodes as kv or fails with <see cref="StreamFormatException"/>, and a decoded record written again reads back equal.
/// </summary>
public static class NetstringKvTarget
{
    public static void Run(byte[] data)
    {
        if (data.Length < 1)
        {
            return;
        }

        int piece = data[0] % 17; // 0: at once
        int max = 8 + (data[0] >> 1);
        OversizePolicy policy = (data[0] % 3) switch { 0 => OversizePolicy.Reject, 1 => OversizePolicy.Truncate, _ => OversizePolicy.Fail };
        byte[] stream = data[1..];
        Exception? wholeError = FuzzCheck.Catch(() => Frame(stream, 0, max, policy));
        Exception? piecesError = FuzzCheck.Catch(() => Frame(stream, piece, max, policy));
        foreach (Exception? error in new[] { wholeError, piecesError })
        {
            FuzzCheck.Require(error is null or StreamFormatException || error is FuzzInvariantException, $"the framer threw {error?.GetType().Name}: {error?.Message}");
            FuzzCheck.Require(error is not StreamFormatException || policy == OversizePolicy.Fail, $"the framer threw without OnOversize fail: {error?.Message}");
            if (error is FuzzInvariantException)
            {
                throw error;
            }
        }

        FuzzCheck.Require((wholeError is null) == (piecesError is null), "at once and in pieces disagree about failing");
        if (wholeError is not null)
        {
            return;
        }

        (List<byte[]> frames, List<long> rejected) whole = Frame(stream, 0, max, policy);
        (List<byte[]> frames, List<long> rejected) pieces = Frame(stream, piece, max, policy);
        FuzzCheck.Require(whole.frames.Count == pieces.frames.Count && whole.frames.Zip(pieces.frames).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
            $"in pieces of {piece}: {pieces.frames.Count} frames, at once: {whole.frames.Count}");
        FuzzCheck.Require(whole.rejected.SequenceEqual(pieces.rejected), "at once and in pieces reject at different bytes");

        var kv = new KvRecordEncoding();
        foreach (byte[] frame in whole.frames)
        {
            Dictionary<string, string>? map = null;
            Exception? error = FuzzCheck.Catch(() => map = kv.Decode<Dictionary<string, string>>(frame));
            FuzzCheck.Require(error is null or StreamFormatException, $"kv threw {error?.GetType().Name}: {error?.Message}");
            if (map is not null)
            {
                var written = new ArrayBufferWriter<byte>();
                kv.Encode(map, written);
                Dictionary<string, string> again = kv.Decode<Dictionary<string, string>>(written.WrittenSpan);
                FuzzCheck.Require(again.Count == map.Count && again.All(p => map.TryGetValue(p.Key, out string? v) && v == p.Value), "a kv record written again reads back different");
            }
        }
    }

    private static (List<byte[]> Frames, List<long> Rejected) Frame(byte[] stream, int piece, int max, OversizePolicy policy)
    {
        var framer = new NetstringFramer(maxRecordSize: max, onOversize: policy);
        var frames = new List<byte[]>();
        var rejected = new List<long>();
        int available = piece == 0 ? stream.Length : Math.Min(piece, stream.Length);
        long consumed = 0;
        while (true)
        {
            bool final = available == stream.Length;
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(stream, (int)consumed, available - (int)consumed));
            while (true)
            {
                long start = reader.Consumed;
                FrameStatus status = framer.TryReadFrame(ref reader, final, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.NeedMoreData)
                {
                    FuzzCheck.Require(reader.Consumed == start, "NeedMoreData moved the reader");
                    break;
                }

                FuzzCheck.Require(reader.Consumed > start, $"{status} consumed nothing");
                if (status == FrameStatus.Frame)
                {
                    FuzzCheck.Require(frame.Length <= max, "a frame is longer than MaxRecordSize");
                    frames.Add(frame.ToArray());
                }
                else if (status == FrameStatus.Rejected)
                {
                    rejected.Add(consumed + start);
                }
            }

            consumed += reader.Consumed;
            if (final)
            {
                FuzzCheck.Require(consumed == stream.Length, $"{stream.Length - consumed} bytes left at the end");
                return (frames, rejected);
            }

            available = Math.Min(stream.Length, available + piece);
        }
    }
}
