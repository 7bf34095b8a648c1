using System.Buffers;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Envelopes;

/// <summary>
/// No envelope on a byte stream: the whole stream is one record, delivered when the final block arrives. On output
/// the record bytes are written as they are.
/// </summary>
/// <remarks>
/// <para>An empty stream produces no record. A stream longer than <see cref="Framer.MaxRecordSize"/> is rejected, failed
/// or truncated as soon as that many bytes are buffered, so the caller never buffers more.</para>
/// <para>Boundary-preserving transports (Kafka, REST, inline arrays) do not need a framer at all: each message is a record.</para>
/// <para>One instance serves one stream; it is not thread-safe.</para>
/// </remarks>
internal sealed class NoneFramer : Framer
{
    private bool _skipping;

    /// <summary>Creates a framer.</summary>
    /// <param name="maxRecordSize">The maximum record (stream) length in bytes.</param>
    /// <param name="onOversize">What to do with a longer stream.</param>
    public NoneFramer(int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject)
        : base(maxRecordSize, onOversize)
    {
    }

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        long remaining = reader.Remaining;
        if (_skipping)
        {
            _skipping = !isFinalBlock;
            if (remaining == 0)
            {
                return FrameStatus.NeedMoreData;
            }

            reader.AdvanceToEnd();
            return FrameStatus.Skipped;
        }

        if (remaining > MaxRecordSize)
        {
            OversizedRecords++;
            if (OnOversize == OversizePolicy.Fail)
            {
                ThrowHelper.ThrowOversize(MaxRecordSize);
            }

            _skipping = !isFinalBlock;
            if (OnOversize == OversizePolicy.Truncate)
            {
                frame = reader.Sequence.Slice(reader.Position, MaxRecordSize);
                reader.AdvanceToEnd();
                return FrameStatus.Frame;
            }

            reader.AdvanceToEnd();
            return FrameStatus.Rejected;
        }

        if (!isFinalBlock || remaining == 0)
        {
            return FrameStatus.NeedMoreData;
        }

        frame = reader.UnreadSequence;
        reader.AdvanceToEnd();
        return FrameStatus.Frame;
    }

    /// <inheritdoc />
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(record);
    }

    /// <inheritdoc />
    public override void Reset() => _skipping = false;
}
