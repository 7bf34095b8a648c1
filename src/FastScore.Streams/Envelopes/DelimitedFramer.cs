using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Envelopes;

/// <summary>
/// The <c>delimited</c> envelope: a record ends at a separator byte sequence (by default <c>"\n"</c>).
/// </summary>
/// <remarks>
/// <para>Zero-length records are produced as they appear, except an empty record just before the end of the stream,
/// which is dropped, so a trailing separator does not create a record. Bytes after the last separator form the last
/// record.</para>
/// <para>The framer never looks further than <see cref="Framer.MaxRecordSize"/> plus the separator length for a
/// separator, so a caller never has to buffer more than that. An oversized record whose separator has not arrived yet
/// is rejected or truncated at once, and the framer remembers to discard the rest of it as it arrives.</para>
/// <para>One instance serves one stream; it is not thread-safe.</para>
/// </remarks>
internal sealed class DelimitedFramer : Framer
{
    private readonly byte[] _separator;
    private readonly int _singleByte;
    private readonly int _window;
    private bool _skippingTail;

    // The buffer (an array, or a sequence segment not backed by one) that holds the reader's current span, and where
    // that span starts in it: lets a frame be built without recomputing the reader's position (which walks the
    // sequence) for every record. It is used only after checking that the current span still starts at that place.
    private object? _owner;
    private int _ownerOffset;

    /// <summary>Creates a framer for a separator given as text (encoded as UTF-8).</summary>
    /// <param name="separator">The separator.</param>
    /// <param name="maxRecordSize">The maximum record length in bytes, separator excluded.</param>
    /// <param name="onOversize">What to do with a longer record.</param>
    /// <exception cref="ArgumentException"><paramref name="separator"/> is empty.</exception>
    public DelimitedFramer(string separator = "\n", int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject)
        : this(Encoding.UTF8.GetBytes(separator ?? throw new ArgumentNullException(nameof(separator))), maxRecordSize, onOversize)
    {
    }

    /// <summary>Creates a framer for a separator given as bytes.</summary>
    /// <param name="separator">The separator bytes.</param>
    /// <param name="maxRecordSize">The maximum record length in bytes, separator excluded.</param>
    /// <param name="onOversize">What to do with a longer record.</param>
    /// <exception cref="ArgumentException"><paramref name="separator"/> is empty.</exception>
    public DelimitedFramer(ReadOnlySpan<byte> separator, int maxRecordSize, OversizePolicy onOversize)
        : base(maxRecordSize, onOversize)
    {
        if (separator.IsEmpty)
        {
            throw new ArgumentException("The separator must not be empty.", nameof(separator));
        }

        _separator = separator.ToArray();
        _singleByte = _separator.Length == 1 ? _separator[0] : -1;
        _window = (int)Math.Min((long)maxRecordSize + _separator.Length, int.MaxValue);
    }

    /// <summary>Gets the separator bytes.</summary>
    public ReadOnlyMemory<byte> Separator => _separator;

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        if (_skippingTail)
        {
            frame = default;
            return SkipTail(ref reader, isFinalBlock);
        }

        // Fast path: the separator is in the current segment, within the size window.
        ReadOnlySpan<byte> span = reader.UnreadSpan;
        ReadOnlySpan<byte> searched = span.Length > _window ? span[.._window] : span;
        int index = _singleByte >= 0 ? searched.IndexOf((byte)_singleByte) : searched.IndexOf(_separator);
        if (index >= 0)
        {
            SliceCurrentSpan(ref reader, index, out frame);
            reader.Advance(index + _separator.Length);
            return FrameStatus.Frame;
        }

        if (searched.Length == _window)
        {
            return Oversize(ref reader, out frame);
        }

        if (reader.Remaining == span.Length)
        {
            frame = default;
            return isFinalBlock ? LastRecord(ref reader, out frame) : FrameStatus.NeedMoreData;
        }

        return SlowPath(ref reader, isFinalBlock, out frame);
    }

    /// <inheritdoc />
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int total = record.Length + _separator.Length;
        if (total <= 4096)
        {
            Span<byte> destination = output.GetSpan(total);
            record.CopyTo(destination);
            _separator.CopyTo(destination[record.Length..]);
            output.Advance(total);
        }
        else
        {
            output.Write(record);
            output.Write(_separator);
        }
    }

    /// <inheritdoc />
    protected internal override ReadOnlyMemory<byte> RecordSuffix => _separator;

    /// <inheritdoc />
    protected internal override bool CanFrameSpans => true;

    /// <inheritdoc />
    /// <remarks>Declines when no separator lies within the size window of this span, and while skipping the rest of an
    /// oversized record.</remarks>
    protected internal override int TryFrameSpan(ReadOnlySpan<byte> span, out int consumed)
    {
        consumed = 0;
        if (_skippingTail)
        {
            return -1;
        }

        ReadOnlySpan<byte> searched = span.Length > _window ? span[.._window] : span;
        int index = _singleByte >= 0 ? searched.IndexOf((byte)_singleByte) : searched.IndexOf(_separator);
        if (index >= 0)
        {
            consumed = index + _separator.Length;
        }

        return index;
    }

    /// <inheritdoc />
    public override void Reset()
    {
        _skippingTail = false;
        _owner = null;
    }

    // The next `length` unread bytes, all inside the reader's current span, as a sequence. The cached owner is used
    // only if the current span is exactly where it was cached (same memory, same offset).
    private void SliceCurrentSpan(ref SequenceReader<byte> reader, int length, out ReadOnlySequence<byte> frame)
    {
        ReadOnlySpan<byte> current = reader.CurrentSpan;
        int offset = _ownerOffset;
        object? owner = _owner;
        if (owner is byte[] array)
        {
            if ((uint)offset <= (uint)array.Length && current.Length <= array.Length - offset
                && Unsafe.AreSame(ref MemoryMarshal.GetReference(current), ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), offset)))
            {
                frame = new ReadOnlySequence<byte>(array, offset + reader.CurrentSpanIndex, length);
                return;
            }
        }
        else if (owner is not null)
        {
            var segment = Unsafe.As<ReadOnlySequenceSegment<byte>>(owner);
            ReadOnlySpan<byte> memory = segment.Memory.Span;
            if ((uint)offset <= (uint)memory.Length && current.Length <= memory.Length - offset
                && Unsafe.AreSame(ref MemoryMarshal.GetReference(current), ref Unsafe.Add(ref MemoryMarshal.GetReference(memory), offset)))
            {
                int start = offset + reader.CurrentSpanIndex;
                frame = new ReadOnlySequence<byte>(segment, start, segment, start + length);
                return;
            }
        }

        SliceAndCache(ref reader, length, out frame);
    }

    private void SliceAndCache(ref SequenceReader<byte> reader, int length, out ReadOnlySequence<byte> frame)
    {
        SequencePosition position = reader.Position;
        int at = position.GetInteger();
        switch (position.GetObject())
        {
            case ReadOnlySequenceSegment<byte> segment when MemoryMarshal.TryGetArray(segment.Memory, out ArraySegment<byte> array):
                // An array-backed segment (the usual pipe buffer): frames are slices of the array itself.
                _owner = array.Array;
                _ownerOffset = array.Offset + at - reader.CurrentSpanIndex;
                frame = new ReadOnlySequence<byte>(array.Array!, array.Offset + at, length);
                break;
            case ReadOnlySequenceSegment<byte> segment:
                _owner = segment;
                _ownerOffset = at - reader.CurrentSpanIndex;
                frame = new ReadOnlySequence<byte>(segment, at, segment, at + length);
                break;
            case byte[] bytes:
                _owner = bytes;
                _ownerOffset = at - reader.CurrentSpanIndex;
                frame = new ReadOnlySequence<byte>(bytes, at, length);
                break;
            default:
                _owner = null;
                frame = reader.Sequence.Slice(position, length);
                break;
        }
    }

    // The record spans segments: search a bounded window of the unread sequence.
    private FrameStatus SlowPath(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        ReadOnlySequence<byte> unread = reader.UnreadSequence;
        long limit = Math.Min(unread.Length, _window);
        var probe = new SequenceReader<byte>(unread.Slice(0, limit));
        if (probe.TryReadTo(out ReadOnlySequence<byte> record, _separator, advancePastDelimiter: true))
        {
            frame = record;
            reader.Advance(probe.Consumed);
            return FrameStatus.Frame;
        }

        if (limit == _window)
        {
            return Oversize(ref reader, out frame);
        }

        frame = default;
        return isFinalBlock ? LastRecord(ref reader, out frame) : FrameStatus.NeedMoreData;
    }

    // End of stream with no separator: the remaining bytes are the last record, unless there are none.
    private FrameStatus LastRecord(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        long remaining = reader.Remaining;
        if (remaining == 0)
        {
            frame = default;
            return FrameStatus.NeedMoreData;
        }

        if (remaining > MaxRecordSize)
        {
            return Oversize(ref reader, out frame);
        }

        frame = reader.UnreadSequence;
        reader.AdvanceToEnd();
        return FrameStatus.Frame;
    }

    // The record at the reader is longer than MaxRecordSize; its separator (if any) lies beyond MaxRecordSize bytes.
    private FrameStatus Oversize(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        OversizedRecords++;
        if (OnOversize == OversizePolicy.Fail)
        {
            ThrowHelper.ThrowOversize(MaxRecordSize);
        }

        _skippingTail = true;
        if (OnOversize == OversizePolicy.Truncate)
        {
            frame = reader.Sequence.Slice(reader.Position, MaxRecordSize);
            reader.Advance(MaxRecordSize);
            return FrameStatus.Frame;
        }

        frame = default;
        reader.Advance(MaxRecordSize);
        return FrameStatus.Rejected;
    }

    // Discards the rest of an oversized record, up to and including its separator.
    private FrameStatus SkipTail(ref SequenceReader<byte> reader, bool isFinalBlock)
    {
        if (reader.TryReadTo(out ReadOnlySequence<byte> _, _separator, advancePastDelimiter: true))
        {
            _skippingTail = false;
            return FrameStatus.Skipped;
        }

        long remaining = reader.Remaining;
        if (isFinalBlock)
        {
            _skippingTail = false;
            if (remaining == 0)
            {
                return FrameStatus.NeedMoreData;
            }

            reader.AdvanceToEnd();
            return FrameStatus.Skipped;
        }

        // Keep what could be the start of a separator split across reads.
        long keep = _separator.Length - 1;
        if (remaining > keep)
        {
            reader.Advance(remaining - keep);
            return FrameStatus.Skipped;
        }

        return FrameStatus.NeedMoreData;
    }
}
