using System.Buffers;
using System.Security.Cryptography;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Envelopes.Ocf;

/// <summary>What an <see cref="OcfBlockFramer"/> knows before it reads (the descriptor's <c>ocf-block</c> fields).</summary>
/// <param name="Schema">The stream's schema: the file's must resolve to it; without a header, the records' schema.</param>
/// <param name="HasHeader">Whether the stream starts with a container header (schema, codec and sync marker are read from it).</param>
/// <param name="SyncMarker">The 16-byte sync marker (required without a header; checked against the header's when both are given).</param>
/// <param name="Codec">The codec (without a header; <see langword="null"/>: <c>null</c>); checked against the header's when both are given.</param>
/// <param name="StartsMidFile">The stream starts at an arbitrary byte offset (SkipTo): reading starts at the next block boundary.</param>
internal sealed record OcfReadOptions(Avro.Schema? Schema, bool HasHeader = true, byte[]? SyncMarker = null, string? Codec = null, bool StartsMidFile = false);

/// <summary>
/// The <c>ocf-block</c> envelope: Avro object container files. Input: the header (magic, metadata, sync marker) when
/// present, then blocks (record count, byte size, data compressed by the codec, sync marker); each record of a block is
/// one frame (found by a skip-parse of the writer's schema). Output: a header, then one block per batch
/// (<see cref="EndBatch"/>).
/// </summary>
/// <remarks>
/// <para>Bad input never stops the stream. A block that is cut short, whose sync marker does not match, whose data
/// does not decompress or does not hold its records rejects its records (with the block's byte position and the reason;
/// one rejection when its header cannot be trusted) and reading resynchronises on the next sync marker. A stream that
/// starts mid-file (<c>SkipTo</c>) starts at the first block boundary at or after the offset. Records of a block all
/// report the block's position.</para>
/// <para>The records of a block are framed with the reader left at the block's start (they all report its position);
/// the block's bytes are consumed with its last record, so a frame may consume no bytes. Each frame takes at least one
/// byte of the block's data, and a block rejects at most one record per byte, so a block always ends.</para>
/// <para>A header that is not a container header, or whose schema cannot be read as the stream's, whose sync marker or
/// codec contradicts the descriptor, fails the stream (<see cref="StreamFormatException"/>): nothing in the file could
/// be read as the descriptor says. An unknown codec rejects every block. One instance serves one stream.</para>
/// </remarks>
internal sealed class OcfBlockFramer : Framer
{
    /// <summary>The largest block (compressed and decompressed) read: at least 64 MiB, or MaxRecordSize when larger.</summary>
    public int MaxBlockSize { get; }

    private readonly OcfReadOptions _options;
    private State _state;
    private Avro.Schema? _writer;
    private OcfCodec? _codec;
    private string? _codecError;
    private byte[]? _sync;
    private string? _reason;
    private AvroPlan? _transcode; // the file's schema → the stream's, when they differ

    // The block being served: its decompressed data, where the next record starts, how many records are left, the
    // bytes the block takes in the stream (consumed after its last record) and, when set, why its records are rejected.
    private bool _serving;
    private ReadOnlyMemory<byte> _block;
    private int _blockPosition;
    private long _blockRecords;
    private long _blockRecordIndex;
    private long _blockBytes;
    private string? _blockError;
    private Avro.Schema? _lastChecked; // see LastFrameCheckedAgainst

    // Output.
    private readonly ArrayBufferWriter<byte> _pending = new(16 * 1024);
    private long _pendingCount;
    private readonly string _outputCodec;

    private enum State
    {
        Header,
        Probe,
        Resync,
        Blocks,
    }

    public OcfBlockFramer(OcfReadOptions options, int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject, string? outputCodec = null, byte[]? outputSync = null)
        : base(maxRecordSize, onOversize)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SyncMarker is { Length: not OcfHeader.SyncLength })
        {
            throw new ArgumentException($"A sync marker is {OcfHeader.SyncLength} bytes.", nameof(options));
        }

        if (!options.HasHeader && (options.SyncMarker is null || options.Schema is null))
        {
            throw new ArgumentException("Without a header, the sync marker and the schema must be given.", nameof(options));
        }

        _options = options;
        MaxBlockSize = Math.Max(maxRecordSize, 64 * 1024 * 1024);
        _outputCodec = outputCodec ?? options.Codec ?? "null";
        if (OcfCodec.Create(_outputCodec) is null)
        {
            throw new ArgumentException($"Unknown codec '{_outputCodec}'; known: {string.Join(", ", OcfCodec.Names)}.", nameof(outputCodec));
        }

        OutputSync = outputSync ?? options.SyncMarker ?? RandomNumberGenerator.GetBytes(OcfHeader.SyncLength);
        Reset();
    }

    /// <summary>Gets the header read from the stream, once it has been read.</summary>
    public OcfHeader? Header { get; private set; }

    /// <summary>Gets the schema the records are written with (the header's, or the descriptor's without a header).</summary>
    public Avro.Schema? WriterSchema => _writer;

    /// <summary>Gets the sync marker written to output files.</summary>
    public byte[] OutputSync { get; }

    /// <inheritdoc />
    protected internal override string? RejectionReason => _reason;

    /// <inheritdoc />
    internal override Avro.Schema? LastFrameCheckedAgainst => _lastChecked;

    /// <inheritdoc />
    public override void Reset()
    {
        _codec?.Dispose();
        _serving = false;
        _block = default;
        Header = null;
        _reason = null;
        _transcode = null;
        if (_options.HasHeader)
        {
            _state = State.Header;
            _writer = null;
            _codec = null;
            _sync = null;
        }
        else
        {
            _state = _options.StartsMidFile ? State.Probe : State.Blocks;
            _writer = _options.Schema;
            _sync = _options.SyncMarker;
            UseCodec(_options.Codec);
        }
    }

    private void UseCodec(string? name)
    {
        _codec = OcfCodec.Create(name);
        _codecError = _codec is null ? $"unknown codec '{name}' (known: {string.Join(", ", OcfCodec.Names)})" : null;
    }

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        _lastChecked = null;
        if (_serving)
        {
            return Serve(ref reader, out frame);
        }

        switch (_state)
        {
            case State.Header:
                return ReadHeader(ref reader, isFinalBlock);
            case State.Resync:
                return Resync(ref reader, isFinalBlock);
            default:
                return ReadBlock(ref reader, isFinalBlock, out frame);
        }
    }

    // ---- header ----------------------------------------------------------------------------------------------------

    private FrameStatus ReadHeader(ref SequenceReader<byte> reader, bool isFinalBlock)
    {
        if (reader.End)
        {
            return FrameStatus.NeedMoreData;
        }

        long available = Math.Min(reader.Remaining, OcfHeader.MaxLength);
        int window = (int)Math.Min(available, 4096);
        while (true)
        {
            OperationStatus status;
            OcfHeader? header;
            string? error;
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            if (span.Length >= window)
            {
                status = OcfHeader.TryRead(span, out header, out error);
            }
            else
            {
                byte[] copy = reader.UnreadSequence.Slice(0, window).ToArray();
                status = OcfHeader.TryRead(copy, out header, out error);
            }

            if (status == OperationStatus.Done)
            {
                UseHeader(header!);
                reader.Advance(header!.Length);
                _state = _options.StartsMidFile ? State.Resync : State.Blocks;
                return FrameStatus.Skipped;
            }

            if (status == OperationStatus.InvalidData)
            {
                throw new StreamFormatException($"The stream is not an Avro container file as the descriptor says (SkipHeader false): {error}.");
            }

            if (window < available)
            {
                window = (int)Math.Min(available, (long)window * 4);
                continue;
            }

            if (isFinalBlock || available >= OcfHeader.MaxLength)
            {
                throw new StreamFormatException(available >= OcfHeader.MaxLength
                    ? $"The container file's header is longer than {OcfHeader.MaxLength} bytes."
                    : $"The stream ends inside the container file's header ({reader.Remaining} bytes).");
            }

            return FrameStatus.NeedMoreData;
        }
    }

    private void UseHeader(OcfHeader header)
    {
        if (_options.Schema is { } schema && AvroResolver.Explain(schema, header.Schema) is { } reason)
        {
            throw new StreamFormatException($"The container file's schema {Shorten(header.Schema.ToString())} cannot be read as the stream's schema: {reason}.");
        }

        if (_options.SyncMarker is { } sync && !sync.AsSpan().SequenceEqual(header.Sync))
        {
            throw new StreamFormatException($"The container file's sync marker ({Convert.ToBase64String(header.Sync)}) is not the descriptor's SyncMarker ({Convert.ToBase64String(sync)}).");
        }

        if (_options.Codec is { } codec && codec != header.Codec && !(codec == "null" && header.Codec.Length == 0))
        {
            throw new StreamFormatException($"The container file's codec ('{header.Codec}') is not the descriptor's Compress ('{codec}').");
        }

        Header = header;
        _transcode = _options.Schema is { } stream && !stream.Equals(header.Schema) ? AvroResolver.Resolve(header.Schema, stream) : null;
        _writer = header.Schema;
        _sync = header.Sync;
        UseCodec(header.Codec);
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : string.Concat(text.AsSpan(0, 119), "…");

    // ---- resynchronisation -----------------------------------------------------------------------------------------

    private FrameStatus Resync(ref SequenceReader<byte> reader, bool isFinalBlock)
    {
        if (reader.End)
        {
            return FrameStatus.NeedMoreData;
        }

        long before = reader.Consumed;
        if (reader.TryAdvanceTo(_sync![0], advancePastDelimiter: false))
        {
            if (reader.Remaining < OcfHeader.SyncLength)
            {
                if (isFinalBlock)
                {
                    reader.AdvanceToEnd();
                    return FrameStatus.Skipped;
                }

                return reader.Consumed > before ? FrameStatus.Skipped : FrameStatus.NeedMoreData;
            }

            if (reader.IsNext(_sync, advancePast: true))
            {
                _state = State.Blocks;
                return FrameStatus.Skipped;
            }

            reader.Advance(1);
            return FrameStatus.Skipped;
        }

        reader.AdvanceToEnd();
        return FrameStatus.Skipped;
    }

    // ---- blocks ----------------------------------------------------------------------------------------------------

    private FrameStatus ReadBlock(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (reader.End)
        {
            return FrameStatus.NeedMoreData;
        }

        bool probing = _state == State.Probe;
        Span<byte> head = stackalloc byte[20];
        int headLength = (int)Math.Min(reader.Remaining, head.Length);
        reader.UnreadSequence.Slice(0, headLength).CopyTo(head);
        var cursor = new AvroCursor(head[..headLength]);
        if (!cursor.ReadLong(out long count) || !cursor.ReadLong(out long size))
        {
            if (cursor.Truncated && !isFinalBlock)
            {
                return FrameStatus.NeedMoreData;
            }

            return probing ? StartResync(ref reader) : RejectCorrupt(ref reader, cursor.Truncated ? "the stream ends inside a block header" : "a corrupt block header (" + cursor.Error + ")");
        }

        if (count < 0 || size < 0 || size > MaxBlockSize)
        {
            return probing ? StartResync(ref reader) : RejectCorrupt(ref reader, $"a corrupt block header (declares {count} records in {size} bytes)");
        }

        int prefix = cursor.Position;
        long total = prefix + size + OcfHeader.SyncLength;
        if (reader.Remaining < total)
        {
            if (!isFinalBlock)
            {
                return FrameStatus.NeedMoreData;
            }

            if (probing)
            {
                return StartResync(ref reader);
            }

            _reason = $"the stream ends inside a block of {count} records ({reader.Remaining} of its {total} bytes are there)";
            reader.AdvanceToEnd();
            return StartRejecting(ref reader, count, _reason, 0);
        }

        ReadOnlySequence<byte> block = reader.UnreadSequence.Slice(0, total);
        Span<byte> marker = stackalloc byte[OcfHeader.SyncLength];
        block.Slice(prefix + size).CopyTo(marker);
        if (!marker.SequenceEqual(_sync))
        {
            if (probing)
            {
                return StartResync(ref reader);
            }

            // One rejection (the count cannot be trusted); then try the bytes after the damaged marker as a block, else resynchronise.
            _reason = $"a corrupt block: the sync marker after its {size} bytes does not match (declares {count} records)";
            _state = State.Probe;
            reader.Advance(total);
            return FrameStatus.Rejected;
        }

        _state = State.Blocks;
        if (_codecError is not null)
        {
            return StartRejecting(ref reader, count, _codecError, total);
        }

        ReadOnlySequence<byte> compressed = block.Slice(prefix, size);
        byte[]? copy = compressed.IsSingleSegment ? null : compressed.ToArray();
        if (!_codec!.TryDecompress(copy ?? compressed.FirstSpan, MaxBlockSize, out ReadOnlyMemory<byte> data, out string? error))
        {
            return StartRejecting(ref reader, count, error!, total);
        }

        _block = data;
        _blockPosition = 0;
        _blockRecords = count;
        _blockRecordIndex = 0;
        _blockBytes = total;
        _blockError = null;
        _serving = true;
        return Serve(ref reader, out frame);
    }

    private FrameStatus StartResync(ref SequenceReader<byte> reader)
    {
        _state = State.Resync;
        reader.Advance(1);
        return FrameStatus.Skipped;
    }

    // A block whose header or sync marker cannot be trusted: one rejection, then the next sync marker.
    private FrameStatus RejectCorrupt(ref SequenceReader<byte> reader, string reason)
    {
        _reason = reason;
        _state = State.Resync;
        reader.Advance(1);
        return FrameStatus.Rejected;
    }

    // A block whose records cannot be read (it is framed right, so its count is believed): each record is rejected.
    private FrameStatus StartRejecting(ref SequenceReader<byte> reader, long count, string reason, long blockBytes)
    {
        // A count larger than the block's bytes is not believed (records take at least a byte): one rejection then.
        _blockRecords = count <= blockBytes ? Math.Max(count, 1) : 1;
        _blockRecordIndex = 0;
        _blockBytes = blockBytes;
        _blockError = reason;
        _serving = true;
        return RejectNext(ref reader);
    }

    private FrameStatus Serve(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_blockRecords == 0)
        {
            EndBlock(ref reader);
            return FrameStatus.Skipped;
        }

        if (_blockError is not null)
        {
            return RejectNext(ref reader);
        }

        ReadOnlySpan<byte> rest = _block.Span[_blockPosition..];
        int length = AvroControl.Measure(rest, out _);
        bool isControl = length > 0;
        if (length <= 0)
        {
            var cursor = new AvroCursor(rest);
            if (!AvroSkipper.Skip(ref cursor, _writer!) || cursor.Position == 0)
            {
                _blockError = $"{(cursor.Error is null ? "a record of the schema takes no bytes" : cursor.Describe())}; the block's records from there on cannot be framed";
                _blockRecords = Math.Min(_blockRecords, _blockRecordIndex + rest.Length + 1); // at most one per byte left
                return RejectNext(ref reader);
            }

            length = cursor.Position;
        }

        ReadOnlyMemory<byte> record = _block.Slice(_blockPosition, length);
        _blockPosition += length;
        _blockRecordIndex++;
        bool last = _blockRecordIndex == _blockRecords;
        if (length > MaxRecordSize)
        {
            OversizedRecords++;
            if (OnOversize == OversizePolicy.Fail)
            {
                ThrowHelper.ThrowOversize(MaxRecordSize);
            }

            if (OnOversize == OversizePolicy.Reject)
            {
                _reason = null;
                if (last)
                {
                    EndBlock(ref reader);
                }

                return FrameStatus.Rejected;
            }

            record = record[..MaxRecordSize];
        }

        if (_transcode is { } plan && !isControl && !Transcode(plan, ref record))
        {
            if (last)
            {
                EndBlock(ref reader);
            }

            return FrameStatus.Rejected;
        }

        frame = new ReadOnlySequence<byte>(record);
        if (!isControl && _transcode is null && record.Length == length)
        {
            _lastChecked = _writer; // AvroSkipper.Skip read exactly these bytes as one value of the schema
        }

        if (last)
        {
            EndBlock(ref reader);
        }

        return FrameStatus.Frame;
    }

    /// <summary>
    /// Rewrites a record of the file's schema as a record of the stream's (when the header's schema differs from the
    /// descriptor's but resolves to it): the stream's encoding then reads every record with the stream's schema.
    /// </summary>
    private bool Transcode(AvroPlan plan, ref ReadOnlyMemory<byte> record)
    {
        var cursor = new AvroCursor(record.Span);
        if (!AvroGeneric.Read(ref cursor, plan, out object? value) || !cursor.AtEnd)
        {
            _reason = $"the record cannot be read with the stream's schema: {cursor.Describe()}";
            return false;
        }

        try
        {
            record = AvroGeneric.Encode(_options.Schema!, value);
            return true;
        }
        catch (StreamFormatException ex)
        {
            _reason = $"the record cannot be written with the stream's schema: {ex.Message}";
            return false;
        }
    }

    private FrameStatus RejectNext(ref SequenceReader<byte> reader)
    {
        _reason = _blockRecords > 1 ? $"{_blockError} (record {_blockRecordIndex + 1} of the block's {_blockRecords})" : _blockError;
        _blockRecordIndex++;
        if (_blockRecordIndex >= _blockRecords)
        {
            EndBlock(ref reader);
        }

        return FrameStatus.Rejected;
    }

    private void EndBlock(ref SequenceReader<byte> reader)
    {
        reader.Advance(_blockBytes);
        _serving = false;
        _block = default;
        _blockError = null;
        _blockRecords = 0;
        _blockBytes = 0;
    }

    // ---- output ----------------------------------------------------------------------------------------------------

    /// <summary>Gets or sets a value indicating whether output starts with the container header (the descriptor's <c>SkipHeader</c>; without it, readers need the sync marker and codec from elsewhere).</summary>
    public bool WritesHeader { get; init; } = true;

    /// <summary>Writes the container header (the output schema is the stream's).</summary>
    public override void WriteStart(IBufferWriter<byte> output)
    {
        if (WritesHeader)
        {
            OcfHeader.Write(output, _options.Schema ?? throw new InvalidOperationException("An output container file needs a schema."), _outputCodec, OutputSync);
        }
    }

    /// <summary>Writes the batch's records as one block.</summary>
    internal override void WriteBatchEnd(IBufferWriter<byte> output) => EndBatch(output);

    /// <summary>Adds a record to the current block. A <c>set</c> control record ends the block; control records are not written (a container file has none).</summary>
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        if (AvroControl.TryRead(record, out Encodings.ControlRecord control))
        {
            if (control.Kind is Encodings.ControlKind.Set or Encodings.ControlKind.End)
            {
                EndBatch(output);
            }

            return;
        }

        _pending.Write(record);
        _pendingCount++;
    }

    /// <summary>Writes the records added since the last block as one block.</summary>
    public void EndBatch(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (_pendingCount == 0)
        {
            return;
        }

        using OcfCodec codec = OcfCodec.Create(_outputCodec)!;
        var compressed = new ArrayBufferWriter<byte>(_pending.WrittenCount + 64);
        codec.Compress(_pending.WrittenSpan, compressed);
        var avro = new AvroOutput(output);
        avro.WriteLong(_pendingCount);
        avro.WriteLong(compressed.WrittenCount);
        avro.Flush();
        output.Write(compressed.WrittenSpan);
        output.Write(OutputSync);
        _pending.Clear();
        _pendingCount = 0;
    }

    /// <summary>Writes the last block.</summary>
    public override void WriteEnd(IBufferWriter<byte> output) => EndBatch(output);
}
