using System.Buffers;
using System.IO.Pipelines;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Internal;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

// The producer task of an input stream: reads the transport, frames byte inputs, recognises control records, checks and
// decodes records (or proves them valid while decoding), and publishes batches to the bounded channel. Every rejected
// record is reported here with its record number and position.
public sealed partial class InputStream
{
    private async Task ProduceAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_transport is ByteInputTransport bytes)
            {
                await ProduceBytesAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            else if (_transport is MessageInputTransport messages)
            {
                await ProduceMessagesAsync(messages, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw new StreamException($"Transport {_transport.GetType().Name} is neither a byte nor a message input.");
            }

            _channel.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            WasStopped = true; // set before the channel completes, so a reader that sees the end sees it too
            _channel.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            Exception error = ex is StreamException ? ex : new StreamException($"Input stream '{Name}' failed: {ex.Message}", ex) { StreamName = Name };
            _channel.Writer.TryComplete(error);
            throw error;
        }
    }

    private async Task ProduceBytesAsync(ByteInputTransport transport, CancellationToken cancellationToken)
    {
        Framer framer = _framer ?? throw new StreamException($"Stream '{Name}' reads bytes but has no envelope.");
        long offset = Descriptor.SkipTo ?? 0;
        while (true)
        {
            long before = _accepted;
            PipeReader reader = await transport.OpenAsync(offset, cancellationToken).ConfigureAwait(false);
            long streamOffset = offset;
            bool soft = false;
            framer.Reset();
            try
            {
                while (!soft)
                {
                    ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    ReadOnlySequence<byte> buffer = result.Buffer;
                    var batch = new RecordBatch(_batchBytesHint, _batchRecordsHint);
                    SequencePosition consumed;
                    bool drained;
                    try
                    {
                        consumed = Drain(framer, buffer, result.IsCompleted, batch, streamOffset, out drained, out soft);
                    }
                    catch (StreamFormatException)
                    {
                        // The bytes can never form a record (OnOversize fail, a truncated record at the end): the
                        // records framed before them are still delivered, then the stream fails.
                        Counters.SetOversized(framer.OversizedRecords);
                        if (batch.Count > 0)
                        {
                            await PublishAsync(batch).ConfigureAwait(false);
                        }
                        else
                        {
                            batch.Dispose();
                        }

                        throw;
                    }

                    streamOffset += buffer.Slice(0, consumed).Length;
                    reader.AdvanceTo(consumed, drained ? buffer.End : consumed);
                    Counters.SetOversized(framer.OversizedRecords);
                    if (batch.Count > 0)
                    {
                        await PublishAsync(batch).ConfigureAwait(false);
                    }
                    else
                    {
                        batch.Dispose();
                    }

                    if (result.IsCompleted && drained)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }

            // Loop rewinds at hard and soft EOF (an end control record), as FastScore does (§1 Loop). A pass that delivers no data record (an empty file, every record rejected, only control records) stops looping.
            if (!Descriptor.Loop || _accepted == before)
            {
                return;
            }

            offset = 0;
        }
    }

    private SequencePosition Drain(Framer framer, in ReadOnlySequence<byte> buffer, bool isCompleted, RecordBatch batch, long baseOffset, out bool drained, out bool endOfStream)
    {
        var reader = new SequenceReader<byte>(buffer);
        try
        {
            return DrainFrames(framer, ref reader, isCompleted, batch, baseOffset, out drained, out endOfStream);
        }
        catch (StreamFormatException ex) when (ex.ByteOffset is null)
        {
            // A framer throws with the reader at the start of the offending record: say which record and where.
            long offset = baseOffset + reader.Consumed;
            throw new StreamFormatException($"record {_sequence + 1} (byte {offset}): {ex.Message}", ex) { ByteOffset = offset, RecordNumber = _sequence + 1, StreamName = Name };
        }
    }

    private SequencePosition DrainFrames(Framer framer, ref SequenceReader<byte> reader, bool isCompleted, RecordBatch batch, long baseOffset, out bool drained, out bool endOfStream)
    {
        drained = false;
        endOfStream = false;
        bool spans = framer.CanFrameSpans;
        RecordDecoder? validating = _decoder is { CanValidate: true } d ? d : null;
        while (batch.Count < _maxBatchRecords)
        {
            if (spans)
            {
                // The usual case: records wholly inside the current span, framed and copied straight from it.
                ReadOnlySpan<byte> span = reader.UnreadSpan;
                long at = reader.Consumed;
                int used = 0;
                bool ended = false;

                // CSV rows ended by line feeds, and a decoder that reads such rows: it finds each row's end as it decodes it.
                Encodings.Csv.CsvFormat? rows = validating is not null ? framer.CsvLineRows : null;
                bool many = rows is not null && validating!.DecodesLineRows;
                while (batch.Count < _maxBatchRecords)
                {
                    if (rows is not null)
                    {
                        int taken;
                        if (many && validating!.TryDecodeLineRows(batch, span[used..], rows, framer.MaxRecordSize, _sequence + 1, _maxBatchRecords - batch.Count, out taken, out long bytes) is int n and > 0)
                        {
                            _sequence += n;
                            _batchRecords += n;
                            _batchBytes += bytes;
                            used += taken;
                            continue;
                        }

                        int row = validating!.TryDecodeLineRow(batch, span[used..], rows, framer.MaxRecordSize, _sequence + 1, out taken);
                        if (row >= 0)
                        {
                            _sequence++;
                            _batchRecords++;
                            _batchBytes += row;
                            used += taken;
                            continue;
                        }
                    }

                    int length = framer.TryFrameSpan(span[used..], out int consumed);
                    if (length < 0)
                    {
                        break;
                    }

                    ended = Accept(batch, span.Slice(used, length), null, baseOffset + at + used);
                    used += consumed;
                    if (ended)
                    {
                        break;
                    }
                }

                reader.Advance(used);
                if (ended)
                {
                    endOfStream = true;
                    drained = true;
                    break;
                }

                if (batch.Count >= _maxBatchRecords)
                {
                    break;
                }
            }

            long start = reader.Consumed;
            long oversizedBefore = framer.OversizedRecords;
            FrameStatus status = framer.TryReadFrame(ref reader, isCompleted, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                if (isCompleted && !reader.End)
                {
                    throw new StreamFormatException($"Stream '{Name}' ended inside a record ({reader.Remaining} trailing bytes).") { ByteOffset = baseOffset + reader.Consumed, StreamName = Name };
                }

                drained = true;
                break;
            }

            if (status == FrameStatus.Skipped)
            {
                continue;
            }

            if (status == FrameStatus.Rejected)
            {
                RejectFrame(framer, reader.Sequence, start, reader.Consumed - start, baseOffset, oversized: framer.OversizedRecords != oversizedBefore);
                continue;
            }

            if (AcceptCopied(batch, batch.Append(frame, _sequence + 1, null), null, baseOffset + start, CheckedByFramer(framer)))
            {
                endOfStream = true;
                drained = true;
                break;
            }
        }

        if (!drained && reader.End && isCompleted)
        {
            drained = true;
        }

        return reader.Position;
    }

    private async Task ProduceMessagesAsync(MessageInputTransport transport, CancellationToken cancellationToken)
    {
        var messages = new List<InputMessage>(_maxBatchRecords);
        RecordPosition? position = Descriptor.SkipToRecord;
        while (true)
        {
            long before = _accepted;
            await transport.OpenAsync(position, cancellationToken).ConfigureAwait(false);
            bool soft = false;
            while (!soft)
            {
                messages.Clear();
                if (!await transport.ReadAsync(messages, _maxBatchRecords, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                var batch = new RecordBatch(_batchBytesHint, _batchRecordsHint);
                foreach (InputMessage message in messages)
                {
                    if (Accept(batch, new ReadOnlySequence<byte>(message.Payload), message.Metadata, null))
                    {
                        soft = true;
                        break;
                    }
                }

                batch.LastMessage = messages[^1];
                await PublishAsync(batch).ConfigureAwait(false);
            }

            if (!Descriptor.Loop || _accepted == before)
            {
                return;
            }

            position = RecordPosition.Earliest;
        }
    }

    /// <summary>Adds one framed record to the batch: control records are marked, data records checked. Returns true on an end control record.</summary>
    private bool Accept(RecordBatch batch, in ReadOnlySequence<byte> frame, MessageMetadata? metadata, long? byteOffset) =>
        AcceptCopied(batch, batch.Append(frame, _sequence + 1, metadata), metadata, byteOffset);

    private bool Accept(RecordBatch batch, ReadOnlySpan<byte> frame, MessageMetadata? metadata, long? byteOffset) =>
        AcceptCopied(batch, batch.Append(frame, _sequence + 1, metadata), metadata, byteOffset);

    /// <summary>
    /// Whether the framer read the frame it returned last whole against the schema of this stream's avro-binary checker
    /// (<see cref="Framer.LastFrameCheckedAgainst"/>: the ocf-block framer's skip-parse, which checks every byte as the
    /// checker does), so checking it again would only repeat that work. The schemas are compared once per schema object.
    /// </summary>
    private bool CheckedByFramer(Framer framer)
    {
        if (framer.LastFrameCheckedAgainst is not { } schema || _checker is not Schemas.AvroBinarySchemaChecker avro)
        {
            return false;
        }

        if (!ReferenceEquals(schema, _framerSchema))
        {
            _framerSchema = schema;
            _framerSchemaIsChecked = ReferenceEquals(schema, avro.Schema) || schema.Equals(avro.Schema);
        }

        return _framerSchemaIsChecked;
    }

    /// <summary>Decides on a record just appended to the batch: decoded, a control record (true: end of stream), or rejected and removed.</summary>
    /// <remarks>The last line of defence against bad input: whatever a checker, decoder or control-record reader throws
    /// for this record (a defect: they report bad data as rejections) rejects this record alone, by encoding, with the
    /// exception as the reason, and the stream goes on. The try region costs nothing until something throws.</remarks>
    private bool AcceptCopied(RecordBatch batch, Span<byte> record, MessageMetadata? metadata, long? byteOffset, bool checkedByFramer = false)
    {
        RecordRejection rejection = default;
        long before = _sequence;
        try
        {
            if (_decoder is { CanValidate: true } validating && validating.TryDecodeValid(batch, batch.Count - 1, record))
            {
                // Decoded in the pass that proved it a valid data record (the usual check would accept it).
                _sequence++;
                _batchRecords++;
                _batchBytes += record.Length;
                return false;
            }

            if (record.Length > 0 && Encoding.TryReadControl(record, out ControlRecord control))
            {
                batch.SetLastControl(control);
                return control.Kind == ControlKind.End;
            }

            _sequence++;
            if (checkedByFramer || _checker.TryCheck(record, out rejection))
            {
                if (_decoder is null || _decoder.TryDecode(batch, batch.Count - 1, record, out string? error))
                {
                    _batchRecords++;
                    _batchBytes += record.Length;
                    return false;
                }

                rejection = new RecordRejection(RejectionKind.Encoding, error);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _sequence = before + 1;
            rejection = new RecordRejection(RejectionKind.Encoding, RecordFailure.Describe(ex));
        }

        Reject(record, _sequence, rejection, metadata, byteOffset);
        batch.RemoveLast();
        return false;
    }

    /// <summary>Publishes the batch's counters (once per batch, not per record) and hands the batch to the consumer.
    /// Only disposing cancels the write: a graceful stop never drops a batch that was read.</summary>
    private ValueTask PublishAsync(RecordBatch batch)
    {
        _decoder?.Seal(batch);
        _batchBytesHint = Math.Clamp(batch.ByteCount, 16 * 1024, 4 * 1024 * 1024);
        _batchRecordsHint = Math.Max(16, batch.Count);
        Counters.Add(_batchRecords, _batchBytes);
        _accepted += _batchRecords;
        _batchRecords = 0;
        _batchBytes = 0;
        batch.ReadTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        return _channel.Writer.WriteAsync(batch, _stop.Token);
    }

    /// <summary>
    /// Reports a record the framer rejected (<see cref="FrameStatus.Rejected"/>): for its size, or because it is malformed
    /// (a corrupt header, a truncated record; <see cref="Framer.RejectionReason"/> says why). It takes a record number, as
    /// any rejected record does.
    /// </summary>
    /// <param name="framer">The framer.</param>
    /// <param name="buffer">The buffer the record started in.</param>
    /// <param name="start">Where the record starts in <paramref name="buffer"/>.</param>
    /// <param name="consumed">How many of its bytes the framer consumed (the preview never reaches past them).</param>
    /// <param name="baseOffset">The stream offset of <paramref name="buffer"/>.</param>
    /// <param name="oversized">Whether the framer counted it as oversized (<see cref="Framer.OversizedRecords"/> grew): then the reject's kind is oversize, otherwise encoding.</param>
    private void RejectFrame(Framer framer, in ReadOnlySequence<byte> buffer, long start, long consumed, long baseOffset, bool oversized)
    {
        const int PreviewBytes = 1024;
        _sequence++;
        Span<byte> head = stackalloc byte[PreviewBytes];
        int length = (int)Math.Min(Math.Min(consumed, buffer.Length - start), PreviewBytes);
        buffer.Slice(start, length).CopyTo(head);
        string reason = framer.RejectionReason ?? (oversized ? $"the record is longer than MaxRecordSize ({framer.MaxRecordSize} bytes)" : "the envelope rejected the record");
        // an oversized record is never whole here; a malformed one is what the framer consumed of it
        Reject(head[..length], _sequence, new RecordRejection(RejectionKind.Encoding, reason), null, baseOffset + start,
            oversized: oversized, truncated: oversized || length < consumed);
    }

    private void Reject(ReadOnlySpan<byte> record, long sequenceNumber, RecordRejection rejection, MessageMetadata? metadata, long? byteOffset = null, bool oversized = false, bool truncated = false)
    {
        Counters.AddRejected(rejection.Kind);
        Engine.RecordReply? reply = _answering?.FindReply(metadata); // a caller waits for this record (REST round trip)
        if (_onRejected is null && reply is null)
        {
            return;
        }

        string? position = metadata?.Position ?? (byteOffset is { } o ? $"byte {o}" : null);
        var rejected = new RejectedRecord(Name, Slot, sequenceNumber, rejection.Kind, rejection.Reason, position, RejectedRecord.MakePreview(record))
        {
            Record = record.ToArray(), // a rejection is rare: its bytes are copied for a rejects stream
            RecordTruncated = truncated,
            Oversized = oversized,
            ByteOffset = byteOffset,
            Metadata = metadata,
        };
        _onRejected?.Invoke(rejected);
        reply?.OnRejected(rejected);
    }
}
