using System.Buffers;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Envelopes;

/// <summary>
/// Frames a bare avro-binary byte stream (no envelope: avro-binary is self-delimiting): each record ends where one value
/// of the schema ends, found by a skip-parse (<see cref="AvroSkipper"/>). Control records (see <see cref="AvroControl"/>)
/// are framed by their own layout.
/// </summary>
/// <remarks>
/// A bare stream has no sync markers, so bytes that are not a value of the schema leave no way to find the next record:
/// that record is rejected with the reason and its position, and the rest of the stream is discarded (an OCF container
/// resynchronises on its sync markers instead). A record at the end of the stream that is cut short is rejected. A record
/// longer than <see cref="Framer.MaxRecordSize"/> is rejected, truncated or fails by <see cref="Framer.OnOversize"/> when
/// its end is known; when its end lies beyond <see cref="Framer.MaxRecordSize"/> bytes it cannot be found without
/// buffering it, so it is rejected like bytes that match no schema. One instance serves one stream.
/// </remarks>
internal sealed class AvroRecordFramer : Framer
{
    private const int FirstWindow = 256;
    private readonly Avro.Schema _schema;
    private long _skipping; // bytes of an oversized record still to discard
    private bool _dead;     // the rest of the stream cannot be framed
    private string? _reason;

    public AvroRecordFramer(Avro.Schema schema, int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject)
        : base(maxRecordSize, onOversize)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
    }

    /// <inheritdoc />
    protected internal override string? RejectionReason => _reason;

    /// <inheritdoc />
    public override void Reset()
    {
        _skipping = 0;
        _dead = false;
        _reason = null;
    }

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_dead || _skipping > 0)
        {
            return Discard(ref reader);
        }

        if (reader.End)
        {
            return FrameStatus.NeedMoreData;
        }

        ReadOnlySpan<byte> span = reader.UnreadSpan;
        int length = Measure(span, out bool truncated, out string? error);
        if (truncated && reader.Remaining > span.Length)
        {
            length = MeasureAcrossSegments(ref reader, out truncated, out error);
        }

        if (length > 0)
        {
            _reason = null;
            if (length > MaxRecordSize)
            {
                return Oversize(ref reader, length, out frame);
            }

            frame = reader.UnreadSequence.Slice(0, length);
            reader.Advance(length);
            return FrameStatus.Frame;
        }

        bool beyondLimit = truncated && reader.Remaining > MaxRecordSize;
        if (truncated && !beyondLimit && !isFinalBlock)
        {
            return FrameStatus.NeedMoreData;
        }

        if (beyondLimit)
        {
            OversizedRecords++;
            if (OnOversize == OversizePolicy.Fail)
            {
                ThrowHelper.ThrowOversize(MaxRecordSize);
            }

            _reason = $"the record is longer than MaxRecordSize ({MaxRecordSize} bytes) and its end cannot be found; a bare avro-binary stream has no sync markers, so the rest of the stream is discarded";
        }
        else
        {
            _reason = truncated
                ? $"the stream ends inside a record: {error}"
                : $"{error ?? "$: a record of the schema takes no bytes"}; a bare avro-binary stream has no sync markers, so the rest of the stream is discarded";
        }

        // Nothing after these bytes can be framed: the record is rejected and the rest of the stream discarded.
        _dead = true;
        reader.AdvanceToEnd();
        return FrameStatus.Rejected;
    }

    // The length of the record at the start of `data`: > 0 when known; otherwise truncated (more bytes could complete it) or an error.
    private int Measure(ReadOnlySpan<byte> data, out bool truncated, out string? error)
    {
        error = null;
        int control = AvroControl.Measure(data, out _);
        if (control > 0)
        {
            truncated = false;
            return control;
        }

        var cursor = new AvroCursor(data);
        if (AvroSkipper.Skip(ref cursor, _schema))
        {
            truncated = false;
            return cursor.Position == 0 ? -1 : cursor.Position; // a zero-length record (a null schema) cannot be framed
        }

        truncated = cursor.Truncated || control == 0;
        error = cursor.Describe();
        return -1;
    }

    // The record straddles segments: measure a growing copy of the bytes ahead (a record is usually small).
    private int MeasureAcrossSegments(ref SequenceReader<byte> reader, out bool truncated, out string? error)
    {
        long available = Math.Min(reader.Remaining, MaxRecordSize + 1L);
        int window = (int)Math.Min(available, FirstWindow);
        while (true)
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(window);
            try
            {
                reader.UnreadSequence.Slice(0, window).CopyTo(rented);
                int length = Measure(rented.AsSpan(0, window), out truncated, out error);
                if (length > 0 || !truncated || window == available)
                {
                    return length;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            window = (int)Math.Min(available, (long)window * 4);
        }
    }

    private FrameStatus Oversize(ref SequenceReader<byte> reader, long length, out ReadOnlySequence<byte> frame)
    {
        OversizedRecords++;
        frame = default;
        if (OnOversize == OversizePolicy.Fail)
        {
            ThrowHelper.ThrowOversize(MaxRecordSize);
        }

        _reason = null;
        _skipping = length - MaxRecordSize;
        if (OnOversize == OversizePolicy.Truncate)
        {
            frame = reader.UnreadSequence.Slice(0, MaxRecordSize);
            reader.Advance(MaxRecordSize);
            return FrameStatus.Frame;
        }

        reader.Advance(MaxRecordSize);
        return FrameStatus.Rejected;
    }

    private FrameStatus Discard(ref SequenceReader<byte> reader)
    {
        long remaining = reader.Remaining;
        if (remaining == 0)
        {
            return FrameStatus.NeedMoreData;
        }

        long skip = _dead ? remaining : Math.Min(remaining, _skipping);
        _skipping -= _dead ? 0 : skip;
        reader.Advance(skip);
        return FrameStatus.Skipped;
    }

    /// <inheritdoc />
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(record); // self-delimiting: records follow each other
    }
}
