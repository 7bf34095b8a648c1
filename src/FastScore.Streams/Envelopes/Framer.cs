using System.Buffers;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Envelopes;

/// <summary>The result of <see cref="Framer.TryReadFrame"/>.</summary>
public enum FrameStatus
{
    /// <summary>A frame was read; the reader is positioned after it.</summary>
    Frame,

    /// <summary>No complete frame is buffered; the reader is unmoved.</summary>
    NeedMoreData,

    /// <summary>Bytes were consumed but no frame is produced (the rest of a rejected record, a header); call again.</summary>
    Skipped,

    /// <summary>
    /// The record that started at the reader's position is longer than <see cref="Framer.MaxRecordSize"/> and
    /// <see cref="Framer.OnOversize"/> is <see cref="OversizePolicy.Reject"/>: the reader moved past the record's first
    /// bytes (they are still in the buffer, for a preview), no frame is produced, and the framer discards the rest of the
    /// record as it arrives (returning <see cref="Skipped"/>). The caller reports the record as rejected; call again.
    /// A framer also returns it for a malformed record it can skip (a corrupt header, a truncated record), with the
    /// reason in <see cref="Framer.RejectionReason"/>.
    /// </summary>
    Rejected,
}

/// <summary>
/// An envelope: cuts a byte stream into record frames (input) and wraps records into bytes (output).
/// One instance serves one stream (it may keep state across reads, e.g. CSV quote state), so it is not thread-safe.
/// </summary>
public abstract class Framer
{
    /// <summary>Creates a framer.</summary>
    /// <param name="maxRecordSize">The maximum frame length in bytes.</param>
    /// <param name="onOversize">What to do with a longer record.</param>
    protected Framer(int maxRecordSize, OversizePolicy onOversize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecordSize);
        MaxRecordSize = maxRecordSize;
        OnOversize = onOversize;
    }

    /// <summary>Gets the maximum frame length in bytes.</summary>
    public int MaxRecordSize { get; }

    /// <summary>Gets what happens to a frame longer than <see cref="MaxRecordSize"/>.</summary>
    public OversizePolicy OnOversize { get; }

    /// <summary>Gets how many records were rejected or truncated because of <see cref="OnOversize"/>.</summary>
    public long OversizedRecords { get; protected set; }

    /// <summary>Reads at most one frame.</summary>
    /// <param name="reader">The buffered bytes. On <see cref="FrameStatus.NeedMoreData"/> it is left unmoved.</param>
    /// <param name="isFinalBlock"><see langword="true"/> when no more bytes will follow (the end of the stream).</param>
    /// <param name="frame">The frame; valid only until the underlying buffer is advanced.</param>
    /// <returns>Whether a frame was produced.</returns>
    /// <exception cref="StreamFormatException">The data can never form a valid frame (e.g. longer than <see cref="MaxRecordSize"/> with <see cref="OversizePolicy.Fail"/>, or a truncated frame at end of stream). The reader is then at the start of the offending record.</exception>
    public abstract FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame);

    /// <summary>Writes one record, framed, to <paramref name="output"/>.</summary>
    /// <param name="record">The encoded record.</param>
    /// <param name="output">Where the framed bytes go.</param>
    public abstract void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output);

    /// <summary>Writes whatever starts an output stream (a header). The default writes nothing.</summary>
    /// <param name="output">Where the bytes go.</param>
    public virtual void WriteStart(IBufferWriter<byte> output) { }

    /// <summary>Writes whatever ends an output stream. The default writes nothing.</summary>
    /// <param name="output">Where the bytes go.</param>
    public virtual void WriteEnd(IBufferWriter<byte> output) { }

    /// <summary>Ends an output batch: called after the frames of each batch are written, before they are flushed (ocf-block writes one container block per batch). The default writes nothing.</summary>
    /// <param name="output">Where the bytes go.</param>
    internal virtual void WriteBatchEnd(IBufferWriter<byte> output) { }

    /// <summary>
    /// Gets a value indicating whether <see cref="TryFrameSpan"/> frames records (a fast path for input streams). The
    /// default is <see langword="false"/>.
    /// </summary>
    protected internal virtual bool CanFrameSpans => false;

    /// <summary>
    /// Gets the Avro schema the frame that <see cref="TryReadFrame"/> returned last was read against, whole and every byte
    /// checked, by the framer's own skip-parse (what the avro-binary checker does), so an input stream whose checker has
    /// the same schema need not check that record again; <see langword="null"/> (the default) when it was not.
    /// </summary>
    internal virtual Avro.Schema? LastFrameCheckedAgainst => null;

    /// <summary>
    /// Gets the CSV syntax of the records this framer frames right now, when each is a CSV row of that delimiter and quote
    /// that ends at the first line feed outside quotes (a carriage return just before it is not the record's), framed by
    /// <see cref="TryFrameSpan"/> with nothing more to it (no header to read, no state carried between reads): then an
    /// input stream whose decoder reads such rows may let it find each row's end while it decodes the row (one pass over
    /// the bytes instead of two), and asks the framer only for the rows the decoder declines (empty rows, rows longer than
    /// <see cref="MaxRecordSize"/>, rows that do not end in the buffer, control rows, bad rows). <see langword="null"/>
    /// (the default): not so. Read once per buffer, and again after every <see cref="TryReadFrame"/>.
    /// </summary>
    internal virtual Encodings.Csv.CsvFormat? CsvLineRows => null;

    /// <summary>
    /// Frames the next record when it lies wholly inside <paramref name="span"/> (the unread part of the current read
    /// buffer), without a <see cref="SequenceReader{T}"/>: a fast path that input streams call, while
    /// <see cref="CanFrameSpans"/> is <see langword="true"/>, for the records of each buffer before they fall back to
    /// <see cref="TryReadFrame"/>. It must frame exactly as <see cref="TryReadFrame"/> would, and decline whatever needs
    /// more (a record across buffers, one longer than <see cref="MaxRecordSize"/>, state carried between reads).
    /// </summary>
    /// <param name="span">The unread bytes of the current buffer.</param>
    /// <param name="consumed">How many bytes the record takes with its envelope's bytes.</param>
    /// <returns>The record's length (its bytes start at <paramref name="span"/>'s start), or -1 (the default) when
    /// <see cref="TryReadFrame"/> must decide.</returns>
    protected internal virtual int TryFrameSpan(ReadOnlySpan<byte> span, out int consumed)
    {
        consumed = 0;
        return -1;
    }

    /// <summary>
    /// Gets the bytes that follow every record in a frame, when <see cref="WriteFrame"/> writes a record followed by
    /// these bytes and nothing else; empty (the default) otherwise. Output streams then write each record's suffix as the
    /// record is encoded, and hand whole batches to the transport in one piece (a fast path).
    /// </summary>
    protected internal virtual ReadOnlyMemory<byte> RecordSuffix => ReadOnlyMemory<byte>.Empty;

    /// <summary>
    /// Gets why the record of the last <see cref="FrameStatus.Rejected"/> was rejected, when it is not its size (a corrupt
    /// container block, a truncated record, bytes that match no schema); <see langword="null"/>: it was longer than
    /// <see cref="MaxRecordSize"/>.
    /// </summary>
    protected internal virtual string? RejectionReason => null;

    /// <summary>Forgets any state carried between reads (called when a looping stream rewinds).</summary>
    public virtual void Reset() { }
}
