using System.Buffers;

namespace FastScore.Streams.TestUtilities;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/>s from a byte array, so framers can be tested with records,
/// separators and length prefixes split across buffer segments (including empty and one-byte segments).
/// </summary>
public static class SequenceSplitter
{
    /// <summary>Splits <paramref name="data"/> at the given cut points (sorted, repeats make empty segments).</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="cuts">Offsets in <c>[0, data.Length]</c>, ascending; a cut at 0 or at the end makes an empty edge segment.</param>
    /// <returns>A sequence with <c>cuts.Length + 1</c> segments, each in its own array.</returns>
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, params int[] cuts)
    {
        var segments = new byte[cuts.Length + 1][];
        int start = 0;
        for (int i = 0; i < cuts.Length; i++)
        {
            int cut = cuts[i];
            if (cut < start || cut > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(cuts), $"Cut {cut} is out of order or outside [0, {data.Length}].");
            }

            segments[i] = data[start..cut].ToArray();
            start = cut;
        }

        segments[^1] = data[start..].ToArray();
        return FromSegments(segments);
    }

    /// <summary>Splits <paramref name="data"/> into one-byte segments.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>A sequence of one-byte segments.</returns>
    public static ReadOnlySequence<byte> SplitEveryByte(ReadOnlySpan<byte> data) =>
        Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());

    /// <summary>Splits <paramref name="data"/> into <paramref name="count"/> segments of (nearly) equal length.</summary>
    /// <param name="data">The bytes.</param>
    /// <param name="count">The number of segments (at least 1).</param>
    /// <returns>The sequence.</returns>
    public static ReadOnlySequence<byte> SplitEvenly(ReadOnlySpan<byte> data, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var cuts = new int[count - 1];
        for (int i = 1; i < count; i++)
        {
            cuts[i - 1] = (int)((long)data.Length * i / count);
        }

        return Split(data, cuts);
    }

    /// <summary>Chains the given arrays (used as they are, not copied) into one sequence.</summary>
    /// <param name="segments">The segments, empty ones allowed.</param>
    /// <returns>The sequence.</returns>
    public static ReadOnlySequence<byte> FromSegments(params ReadOnlyMemory<byte>[] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (segments.Length == 1)
        {
            return new ReadOnlySequence<byte>(segments[0]);
        }

        var first = new Segment(segments[0], 0);
        Segment last = first;
        for (int i = 1; i < segments.Length; i++)
        {
            last = last.Append(segments[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Chains the given arrays (used as they are, not copied) into one sequence.</summary>
    /// <param name="segments">The segments, empty ones allowed.</param>
    /// <returns>The sequence.</returns>
    public static ReadOnlySequence<byte> FromSegments(params byte[][] segments) =>
        FromSegments(segments.Select(s => (ReadOnlyMemory<byte>)s).ToArray());

    /// <summary>Every single cut point of a buffer of <paramref name="length"/> bytes: <c>[0]</c>, <c>[1]</c>, … <c>[length]</c>.</summary>
    /// <param name="length">The buffer length.</param>
    /// <returns>One cut array per offset (0 and <paramref name="length"/> make an empty edge segment).</returns>
    public static IEnumerable<int[]> EveryCut(int length)
    {
        for (int i = 0; i <= length; i++)
        {
            yield return [i];
        }
    }

    /// <summary>
    /// Every pair of cut points <c>i &lt;= j</c> of a buffer of <paramref name="length"/> bytes. <c>i == j</c> makes an
    /// empty middle segment and <c>j == i + 1</c> a one-byte segment.
    /// </summary>
    /// <param name="length">The buffer length.</param>
    /// <returns>One cut array per pair.</returns>
    public static IEnumerable<int[]> EveryCutPair(int length)
    {
        for (int i = 0; i <= length; i++)
        {
            for (int j = i; j <= length; j++)
            {
                yield return [i, j];
            }
        }
    }

    /// <summary>No cut, every single cut and every pair of cuts.</summary>
    /// <param name="length">The buffer length.</param>
    /// <returns>The cut arrays.</returns>
    public static IEnumerable<int[]> EveryCutAndPair(int length) =>
        new[] { Array.Empty<int>() }.Concat(EveryCut(length)).Concat(EveryCutPair(length));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
