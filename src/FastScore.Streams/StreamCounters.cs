using FastScore.Streams.Diagnostics;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>Live counters of one stream. Updated once per batch; safe to read from any thread.</summary>
public sealed class StreamCounters
{
    private long _records;
    private long _bytes;
    private long _rejectedByEncoding;
    private long _rejectedBySchema;
    private long _oversized;
    private OutputTransport? _output;
    private int _abandoned;

    /// <summary>
    /// Gets the number of data records read (input) or written (output), rejected ones excluded. For an output, records
    /// known not to have reached the destination are left out too: they are counted in <see cref="Undelivered"/>.
    /// </summary>
    public long Records => Volatile.Read(ref _records) - Undelivered;

    /// <summary>Gets the number of bytes of those records.</summary>
    public long Bytes => Volatile.Read(ref _bytes) - UndeliveredBytes;

    /// <summary>
    /// Gets the number of records written to an output that did not reach their destination: their delivery failed or
    /// was still unacknowledged when the output was abandoned (Kafka), or the output is all or nothing (S3) and was not
    /// completed. Always 0 for an input.
    /// </summary>
    public long Undelivered
    {
        get
        {
            long written = Volatile.Read(ref _records);
            if (Volatile.Read(ref _abandoned) != 0)
            {
                return written;
            }

            return _output is { } output ? Math.Clamp(output.UndeliveredRecords, 0, written) : 0;
        }
    }

    private long UndeliveredBytes
    {
        get
        {
            long written = Volatile.Read(ref _bytes);
            if (Volatile.Read(ref _abandoned) != 0)
            {
                return written;
            }

            return _output is { } output ? Math.Clamp(output.UndeliveredBytes, 0, written) : 0;
        }
    }

    /// <summary>Makes the counters of an output leave out what <paramref name="output"/> reports as undelivered.</summary>
    internal void TrackDeliveries(OutputTransport output) => _output = output;

    /// <summary>An all-or-nothing output was not completed: nothing written to it was delivered.</summary>
    internal void MarkAbandoned() => Volatile.Write(ref _abandoned, 1);

    /// <summary>Gets the number of records rejected because they could not be decoded or encoded.</summary>
    public long RejectedByEncoding => Volatile.Read(ref _rejectedByEncoding);

    /// <summary>Gets the number of records rejected because they did not match the schema.</summary>
    public long RejectedBySchema => Volatile.Read(ref _rejectedBySchema);

    /// <summary>Gets the number of records longer than the envelope's maximum record size that were rejected (also counted in <see cref="RejectedByEncoding"/>) or truncated (also counted in <see cref="Records"/>).</summary>
    public long Oversized => Volatile.Read(ref _oversized);

    internal void Add(long records, long bytes)
    {
        if (records != 0)
        {
            Interlocked.Add(ref _records, records);
        }

        if (bytes != 0)
        {
            Interlocked.Add(ref _bytes, bytes);
        }
    }

    internal void AddRejected(RejectionKind kind)
    {
        if (kind == RejectionKind.Schema)
        {
            Interlocked.Increment(ref _rejectedBySchema);
        }
        else
        {
            Interlocked.Increment(ref _rejectedByEncoding);
        }
    }

    internal void SetOversized(long value) => Volatile.Write(ref _oversized, value);
}

/// <summary>A record that was rejected: counted, reported, and not passed on.</summary>
/// <param name="StreamName">The stream's name.</param>
/// <param name="Slot">The slot, or -1 when not attached to an engine.</param>
/// <param name="RecordNumber">The record's sequence number in its stream (1-based).</param>
/// <param name="Kind">By encoding or by schema.</param>
/// <param name="Reason">Why, naming the field path.</param>
/// <param name="Position">Where it was: a byte offset (<c>byte 1234</c>) or a transport position (<c>topic/0@42</c>).</param>
/// <param name="Preview">The start of the record as text (at most 200 bytes, control characters escaped), for reports.</param>
public sealed record RejectedRecord(string StreamName, int Slot, long RecordNumber, RejectionKind Kind, string Reason, string? Position, string Preview)
{
    /// <summary>Gets why the record was rejected, naming the field path; control characters are escaped (<see cref="SafeText.EscapeControlCharacters"/>), so a record cannot inject terminal sequences through it.</summary>
    public string Reason { get; init; } = SafeText.EscapeControlCharacters(Reason);

    /// <summary>Gets the start of the record as text for reports: at most <see cref="SafeText.PreviewBytes"/> bytes, control characters escaped, a cut marked <c>… (N bytes)</c> (<see cref="SafeText.Preview"/>).</summary>
    public string Preview { get; init; } = SafeText.EscapeControlCharacters(Preview);

    /// <inheritdoc />
    public override string ToString() =>
        $"slot {Slot} record {RecordNumber}{(Position is null ? "" : $" ({Position})")}: rejected by {(Kind == RejectionKind.Schema ? "schema" : "encoding")}: {Reason}";

    /// <summary>Gets the record's bytes (for a rejects stream; empty in <see cref="Engine.EngineInspection.Rejections"/>).</summary>
    internal ReadOnlyMemory<byte> Record { get; init; }

    /// <summary>Gets a value indicating whether <see cref="Record"/> holds only the start of the record (an oversized record).</summary>
    internal bool RecordTruncated { get; init; }

    /// <summary>Gets a value indicating whether the record was rejected for its size (longer than the envelope's MaxRecordSize).</summary>
    internal bool Oversized { get; init; }

    /// <summary>Gets the record's byte offset in its stream (byte transports), or null.</summary>
    internal long? ByteOffset { get; init; }

    /// <summary>Gets the transport's metadata of the record (message transports), or null.</summary>
    internal MessageMetadata? Metadata { get; init; }

    internal static string MakePreview(ReadOnlySpan<byte> record) => SafeText.Preview(record);
}
