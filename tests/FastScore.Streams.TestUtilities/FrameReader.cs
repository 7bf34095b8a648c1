using System.Buffers;
using FastScore.Streams.Envelopes;
using NUnit.Framework;

namespace FastScore.Streams.TestUtilities;

/// <summary>What a framer produced from a whole input.</summary>
/// <param name="Frames">The frames, copied out.</param>
/// <param name="Skipped">How many times <see cref="FrameStatus.Skipped"/> was returned.</param>
/// <param name="MaxBuffered">The largest number of bytes the caller had to keep buffered.</param>
/// <param name="RejectedAt">Where each record the framer rejected (<see cref="FrameStatus.Rejected"/>) starts in the input.</param>
public sealed record FrameLog(IReadOnlyList<byte[]> Frames, int Skipped, long MaxBuffered, IReadOnlyList<long> RejectedAt);

/// <summary>
/// Drives a <see cref="Framer"/> the way a pipe read loop does, and checks the contract on every call:
/// <see cref="FrameStatus.NeedMoreData"/> leaves the reader unmoved, <see cref="FrameStatus.Skipped"/> and
/// <see cref="FrameStatus.Rejected"/> move it.
/// </summary>
public static class FrameReader
{
    /// <summary>Reads every frame of a fully buffered input (one read with <c>isFinalBlock</c> set).</summary>
    /// <param name="framer">The framer.</param>
    /// <param name="input">The whole stream.</param>
    /// <returns>The frames.</returns>
    public static FrameLog ReadAll(Framer framer, ReadOnlySequence<byte> input)
    {
        var frames = new List<byte[]>();
        var rejected = new List<long>();
        var reader = new SequenceReader<byte>(input);
        int skipped = Drain(framer, ref reader, isFinalBlock: true, frames, rejected, 0);
        Assert.That(reader.End, Is.True, "At the final block the framer must consume everything or throw.");
        return new FrameLog(frames, skipped, input.Length, rejected);
    }

    /// <summary>
    /// Reads every frame while the input arrives in chunks cut at <paramref name="cuts"/>. After each chunk the
    /// framer sees the unconsumed bytes plus the new chunk (as separate segments), as with a <c>PipeReader</c>.
    /// </summary>
    /// <param name="framer">The framer.</param>
    /// <param name="input">The whole stream.</param>
    /// <param name="cuts">Where chunks end (ascending offsets).</param>
    /// <returns>The frames and the most bytes ever buffered.</returns>
    public static FrameLog ReadIncrementally(Framer framer, byte[] input, params int[] cuts)
    {
        var frames = new List<byte[]>();
        var rejected = new List<long>();
        var pending = new List<byte[]>();
        int skipped = 0;
        long maxBuffered = 0;
        long consumed = 0;
        int start = 0;
        for (int i = 0; i <= cuts.Length; i++)
        {
            int end = i < cuts.Length ? cuts[i] : input.Length;
            pending.Add(input[start..end]);
            start = end;
            bool isFinal = i == cuts.Length;

            ReadOnlySequence<byte> buffer = SequenceSplitter.FromSegments(pending.ToArray());
            maxBuffered = Math.Max(maxBuffered, buffer.Length);
            var reader = new SequenceReader<byte>(buffer);
            skipped += Drain(framer, ref reader, isFinal, frames, rejected, consumed);
            consumed += reader.Consumed;
            if (isFinal)
            {
                Assert.That(reader.End, Is.True, "At the final block the framer must consume everything or throw.");
            }

            pending.Clear();
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(reader.Position))
            {
                pending.Add(segment.ToArray());
            }
        }

        return new FrameLog(frames, skipped, maxBuffered, rejected);
    }

    private static int Drain(Framer framer, ref SequenceReader<byte> reader, bool isFinalBlock, List<byte[]> frames, List<long> rejected, long baseOffset)
    {
        int skipped = 0;
        for (int guard = 0; ; guard++)
        {
            if (guard > 1_000_000)
            {
                Assert.Fail("The framer does not make progress.");
            }

            long before = reader.Consumed;
            FrameStatus status = framer.TryReadFrame(ref reader, isFinalBlock, out ReadOnlySequence<byte> frame);
            switch (status)
            {
                case FrameStatus.Frame:
                    Assert.That(reader.Consumed, Is.GreaterThan(before), "A frame must consume bytes.");
                    frames.Add(frame.ToArray());
                    break;
                case FrameStatus.Skipped:
                    Assert.That(reader.Consumed, Is.GreaterThan(before), "Skipped must consume bytes.");
                    skipped++;
                    break;
                case FrameStatus.Rejected:
                    Assert.That(reader.Consumed, Is.GreaterThan(before), "Rejected must consume bytes.");
                    rejected.Add(baseOffset + before);
                    break;
                default:
                    Assert.That(reader.Consumed, Is.EqualTo(before), "NeedMoreData must leave the reader unmoved.");
                    return skipped;
            }
        }
    }
}
