using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Internal;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>
/// A running input stream: transport → envelope → control records → schema check, delivering batches of checked
/// records. Reading starts on the first call to <see cref="ReadBatchAsync"/>; a background task fills a bounded
/// channel, so a slow consumer slows the transport (backpressure) and memory stays bounded.
/// </summary>
/// <remarks>One consumer at a time. <see cref="StopReading"/> stops gracefully (every batch already read is still
/// delivered); dispose to stop at once and release the transport.</remarks>
public sealed class InputStream : IAsyncDisposable
{
    private readonly InputTransport _transport;
    private readonly MessageInputTransport? _answering; // the transport, when callers wait for some of its records
    private readonly Framer? _framer;
    private readonly SchemaChecker _checker;
    private readonly Action<RejectedRecord>? _onRejected;
    private readonly int _maxBatchRecords;
    private readonly Channel<RecordBatch> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _stopReading;
    private Task? _producer;
    private RecordDecoder? _decoder;
    private long _sequence;
    private long _batchRecords; // accepted records and bytes not yet published to Counters (producer task only)
    private long _accepted; // data records published so far (producer task only): a Loop pass that adds none ends the loop
    private long _batchBytes;
    private int _batchBytesHint = 16 * 1024; // the last batch's size: the next one starts that big, so it rarely grows
    private int _batchRecordsHint = 128;
    private int _disposed;

    internal InputStream(StreamDescriptor descriptor, string name, int slot, InputTransport transport, Framer? framer,
        RecordEncoding encoding, SchemaChecker checker, Avro.Schema? schema, Action<RejectedRecord>? onRejected, int maxBatchRecords, int channelCapacity)
    {
        Descriptor = descriptor;
        Name = name;
        Slot = slot;
        _transport = transport;
        _answering = transport is MessageInputTransport { AnswersCallers: true } answering ? answering : null;
        _framer = framer;
        Encoding = encoding;
        _checker = checker;
        Schema = schema;
        _onRejected = onRejected;
        _maxBatchRecords = maxBatchRecords;
        _stopReading = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        _channel = Channel.CreateBounded<RecordBatch>(new BoundedChannelOptions(channelCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Gets the descriptor the stream was built from.</summary>
    public StreamDescriptor Descriptor { get; }

    /// <summary>Gets the stream's name.</summary>
    public string Name { get; }

    /// <summary>Gets the slot, or -1 when not attached to an engine.</summary>
    public int Slot { get; }

    /// <summary>Gets the encoding, which decodes records into host values.</summary>
    public RecordEncoding Encoding { get; }

    /// <summary>Gets the resolved Avro schema records are checked against, or <see langword="null"/> when untyped.</summary>
    public Avro.Schema? Schema { get; }

    /// <summary>Gets the stream's counters.</summary>
    public StreamCounters Counters { get; } = new();

    /// <summary>Gets a value indicating whether the stream has delivered its last batch (hard or soft end of stream, or stopped).</summary>
    public bool IsEndOfStream { get; private set; }

    /// <summary>Gets a value indicating whether reading was stopped (<see cref="StopReadingAsync"/>) before the transport's end: records after that point were never read.</summary>
    public bool WasStopped { get; private set; }

    /// <summary>Gets a description of the source, safe to display.</summary>
    public string TransportDisplayName => _transport.DisplayName;

    /// <summary>Reads the next batch of checked records.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The batch (dispose it when done), or <see langword="null"/> at end of stream.</returns>
    /// <exception cref="StreamException">The transport failed or the bytes cannot be framed.</exception>
    public async ValueTask<RecordBatch?> ReadBatchAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _producer ??= Task.Run(() => ProduceAsync(_stopReading.Token), CancellationToken.None);
        while (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_channel.Reader.TryRead(out RecordBatch? batch))
            {
                return batch;
            }
        }

        IsEndOfStream = true;
        await _producer.ConfigureAwait(false); // surfaces the producer's failure
        return null;
    }

    /// <summary>Reads every record, decoded as <typeparamref name="T"/>. Control records are skipped; a record that cannot become a <typeparamref name="T"/> is rejected by encoding (counted and reported).</summary>
    /// <typeparam name="T">The host's type.</typeparam>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The values, in order.</returns>
    public async IAsyncEnumerable<T> ReadAllAsync<T>([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_producer is null && _decoder is null)
        {
            var decoder = new RecordDecoder<T>(Encoding); // decode on the producer task, in parallel with the caller
            decoder.Bind(_checker);
            _decoder = decoder;
        }

        while (await ReadBatchAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (batch.GetControl(i).Kind != ControlKind.None)
                    {
                        continue;
                    }

                    if (TryDecode(batch, i, out T value))
                    {
                        yield return value;
                    }
                }

                await AcknowledgeAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Decodes record <paramref name="index"/> of <paramref name="batch"/>; a failure is counted and reported as rejected by encoding.</summary>
    /// <typeparam name="T">The host's type.</typeparam>
    /// <param name="batch">A batch read from this stream.</param>
    /// <param name="index">The record index.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when decoded.</returns>
    public bool TryDecode<T>(RecordBatch batch, int index, out T value)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.TryGetValue(index, out value))
        {
            return true; // decoded on the producer task
        }

        try
        {
            value = Encoding.Decode<T>(batch.GetSpan(index));
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // StreamFormatException: bad data; anything else (unsupported type, a defect) rejects this record alone too.
            ReadOnlySpan<byte> record = batch.GetSpan(index);
            Counters.Add(-1, -record.Length); // a rejected record is not counted as read (as for schema rejections)
            Reject(record, batch.GetSequenceNumber(index), new RecordRejection(RejectionKind.Encoding, RecordFailure.Describe(ex)), batch.GetMetadata(index));
            value = default!;
            return false;
        }
    }

    /// <summary>Tells the transport that a batch and every batch before it are processed and their outputs delivered (at-least-once acknowledgement; Kafka commits offsets).</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when acknowledged.</returns>
    public ValueTask AcknowledgeAsync(RecordBatch batch, CancellationToken cancellationToken = default) =>
        batch.LastMessage is { } last && _transport is MessageInputTransport messages
            ? messages.AcknowledgeAsync(last, cancellationToken)
            : default;

    internal ValueTask AcknowledgeAsync(InputMessage last, CancellationToken cancellationToken) =>
        _transport is MessageInputTransport messages ? messages.AcknowledgeAsync(last, cancellationToken) : default;

    internal bool NeedsAcknowledgement => _transport is MessageInputTransport { RequiresAcknowledgement: true };

    /// <summary>Gets a value indicating whether callers wait for some records of this stream (see <see cref="MessageInputTransport.AnswersCallers"/>).</summary>
    internal bool AnswersCallers => _answering is not null;

    /// <summary>Gets the caller waiting for a record of this stream, from its message's metadata (see <see cref="MessageInputTransport.FindReply"/>).</summary>
    internal Engine.RecordReply? FindReply(MessageMetadata? metadata) => _answering?.FindReply(metadata);

    /// <summary>
    /// Makes the producer task decode every checked data record with <paramref name="decoder"/> (a failure is rejected by
    /// encoding there), so batches arrive with their values (<see cref="RecordBatch.Values"/>). Call before reading starts.
    /// </summary>
    internal void DecodeOnProducer(RecordDecoder decoder)
    {
        if (_producer is not null)
        {
            throw new InvalidOperationException($"Input stream '{Name}' is already reading.");
        }

        decoder.Bind(_checker);
        _decoder = decoder;
    }

    /// <summary>
    /// Stops reading the transport gracefully: every batch already read is still delivered by
    /// <see cref="ReadBatchAsync"/>, which then returns <see langword="null"/> (as at end of stream). Nothing read is lost.
    /// </summary>
    /// <returns>A task that completes when the request is made.</returns>
    /// <remarks>Safe to call from any thread, more than once, and before reading started.</remarks>
    public Task StopReadingAsync()
    {
        StopReading();
        return Task.CompletedTask;
    }

    /// <summary>Stops reading gracefully (see <see cref="StopReadingAsync"/>).</summary>
    internal void StopReading()
    {
        if (_disposed == 0)
        {
            try
            {
                _stopReading.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // disposed concurrently: reading has stopped anyway
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_producer is not null)
        {
            try
            {
                await _producer.ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // stopping: the producer's failure no longer matters
            }
        }

        while (_channel.Reader.TryRead(out RecordBatch? batch))
        {
            batch.Dispose();
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        _stopReading.Dispose();
        _stop.Dispose();
    }

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
        while (batch.Count < _maxBatchRecords)
        {
            if (spans)
            {
                // The usual case: records wholly inside the current span, framed and copied straight from it.
                ReadOnlySpan<byte> span = reader.UnreadSpan;
                long at = reader.Consumed;
                int used = 0;
                bool ended = false;
                while (batch.Count < _maxBatchRecords)
                {
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
                RejectOversized(framer, reader.Sequence, start, reader.Consumed - start, baseOffset);
                continue;
            }

            if (Accept(batch, frame, null, baseOffset + start))
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

    /// <summary>Decides on a record just appended to the batch: decoded, a control record (true: end of stream), or rejected and removed.</summary>
    /// <remarks>The last line of defence against bad input: whatever a checker, decoder or control-record reader throws
    /// for this record (a defect: they report bad data as rejections) rejects this record alone, by encoding, with the
    /// exception as the reason, and the stream goes on. The try region costs nothing until something throws.</remarks>
    private bool AcceptCopied(RecordBatch batch, Span<byte> record, MessageMetadata? metadata, long? byteOffset)
    {
        RecordRejection rejection;
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
            if (_checker.TryCheck(record, out rejection))
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
        _batchBytesHint = Math.Clamp(batch.ByteCount, 16 * 1024, 4 * 1024 * 1024);
        _batchRecordsHint = Math.Max(16, batch.Count);
        Counters.Add(_batchRecords, _batchBytes);
        _accepted += _batchRecords;
        _batchRecords = 0;
        _batchBytes = 0;
        return _channel.Writer.WriteAsync(batch, _stop.Token);
    }

    /// <summary>Reports a record the framer rejected for its size (<see cref="FrameStatus.Rejected"/>): it takes a record number, as any rejected record does.</summary>
    /// <param name="framer">The framer.</param>
    /// <param name="buffer">The buffer the record started in.</param>
    /// <param name="start">Where the record starts in <paramref name="buffer"/>.</param>
    /// <param name="consumed">How many of its bytes the framer consumed (the preview never reaches past them).</param>
    /// <param name="baseOffset">The stream offset of <paramref name="buffer"/>.</param>
    private void RejectOversized(Framer framer, in ReadOnlySequence<byte> buffer, long start, long consumed, long baseOffset)
    {
        const int PreviewBytes = 1024;
        _sequence++;
        Span<byte> head = stackalloc byte[PreviewBytes];
        int length = (int)Math.Min(Math.Min(consumed, buffer.Length - start), PreviewBytes);
        buffer.Slice(start, length).CopyTo(head);
        Reject(head[..length], _sequence, new RecordRejection(RejectionKind.Encoding, $"the record is longer than MaxRecordSize ({framer.MaxRecordSize} bytes)"), null, baseOffset + start);
    }

    private void Reject(ReadOnlySpan<byte> record, long sequenceNumber, RecordRejection rejection, MessageMetadata? metadata, long? byteOffset = null)
    {
        Counters.AddRejected(rejection.Kind);
        Engine.RecordReply? reply = _answering?.FindReply(metadata); // a caller waits for this record (REST round trip)
        if (_onRejected is null && reply is null)
        {
            return;
        }

        string? position = metadata?.Position ?? (byteOffset is { } o ? $"byte {o}" : null);
        var rejected = new RejectedRecord(Name, Slot, sequenceNumber, rejection.Kind, rejection.Reason, position, RejectedRecord.MakePreview(record));
        _onRejected?.Invoke(rejected);
        reply?.OnRejected(rejected);
    }
}
