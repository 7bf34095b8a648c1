using System.Buffers;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Envelopes;

/// <summary>
/// The <c>fixed</c> envelope: every record is exactly <see cref="Size"/> bytes. On output a record is zero-padded or
/// truncated to <see cref="Size"/>.
/// </summary>
/// <remarks>
/// <para>A partial record at the end of the stream is a <see cref="StreamFormatException"/>.</para>
/// <para>When <see cref="Size"/> is larger than <see cref="Framer.MaxRecordSize"/>, every record is oversized:
/// <see cref="OversizePolicy.Fail"/> fails at the first byte, <see cref="OversizePolicy.Reject"/> rejects every record and
/// <see cref="OversizePolicy.Truncate"/> keeps the first <see cref="Framer.MaxRecordSize"/> bytes of each, without ever
/// buffering a whole record.</para>
/// <para>One instance serves one stream; it is not thread-safe.</para>
/// </remarks>
internal sealed class FixedFramer : Framer
{
    private long _skipRemaining;

    /// <summary>Creates a framer.</summary>
    /// <param name="size">The record size in bytes.</param>
    /// <param name="maxRecordSize">The maximum record length in bytes.</param>
    /// <param name="onOversize">What to do when <paramref name="size"/> exceeds <paramref name="maxRecordSize"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public FixedFramer(int size, int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject)
        : base(maxRecordSize, onOversize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Size = size;
    }

    /// <summary>Gets the record size in bytes.</summary>
    public int Size { get; }

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        long remaining = reader.Remaining;
        if (_skipRemaining > 0)
        {
            return SkipTail(ref reader, isFinalBlock, remaining);
        }

        if (Size <= MaxRecordSize)
        {
            if (remaining >= Size)
            {
                frame = reader.Sequence.Slice(reader.Position, Size);
                reader.Advance(Size);
                return FrameStatus.Frame;
            }

            if (isFinalBlock && remaining > 0)
            {
                ThrowPartial(remaining);
            }

            return FrameStatus.NeedMoreData;
        }

        return Oversize(ref reader, isFinalBlock, remaining, out frame);
    }

    /// <inheritdoc />
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> destination = output.GetSpan(Size)[..Size];
        if (record.Length >= Size)
        {
            record[..Size].CopyTo(destination);
        }
        else
        {
            record.CopyTo(destination);
            destination[record.Length..].Clear();
        }

        output.Advance(Size);
    }

    /// <inheritdoc />
    public override void Reset() => _skipRemaining = 0;

    private FrameStatus Oversize(ref SequenceReader<byte> reader, bool isFinalBlock, long remaining, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (remaining == 0)
        {
            return FrameStatus.NeedMoreData;
        }

        if (isFinalBlock && remaining < Size && OnOversize != OversizePolicy.Fail)
        {
            ThrowPartial(remaining);
        }

        switch (OnOversize)
        {
            case OversizePolicy.Reject:
                OversizedRecords++;
                _skipRemaining = Size;
                SkipTail(ref reader, isFinalBlock, remaining); // remaining > 0: consumes at least one byte
                return FrameStatus.Rejected;
            case OversizePolicy.Truncate:
                if (remaining < MaxRecordSize)
                {
                    return FrameStatus.NeedMoreData;
                }

                OversizedRecords++;
                frame = reader.Sequence.Slice(reader.Position, MaxRecordSize);
                reader.Advance(MaxRecordSize);
                _skipRemaining = Size - MaxRecordSize;
                return FrameStatus.Frame;
            default:
                OversizedRecords++;
                ThrowHelper.ThrowOversize(MaxRecordSize);
                return FrameStatus.NeedMoreData;
        }
    }

    private FrameStatus SkipTail(ref SequenceReader<byte> reader, bool isFinalBlock, long remaining)
    {
        if (isFinalBlock && remaining < _skipRemaining)
        {
            ThrowPartial(Size - _skipRemaining + remaining);
        }

        long n = Math.Min(_skipRemaining, remaining);
        if (n == 0)
        {
            return FrameStatus.NeedMoreData;
        }

        reader.Advance(n);
        _skipRemaining -= n;
        return FrameStatus.Skipped;
    }

    private void ThrowPartial(long trailing) =>
        ThrowHelper.ThrowFormat($"The stream ends inside a fixed-size record: {trailing} trailing bytes, but Size is {Size}.");
}
