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
public sealed partial class InputStream : IAsyncDisposable
{
    private readonly InputTransport _transport;
    private readonly MessageInputTransport? _answering; // the transport, when callers wait for some of its records
    private readonly Framer? _framer;
    private readonly SchemaChecker _checker;
    private Avro.Schema? _framerSchema; // the last schema the framer checked frames against (CheckedByFramer)
    private bool _framerSchemaIsChecked; // whether it is the checker's
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

    /// <summary>Gets how many read batches wait in the stream's channel for the consumer.</summary>
    internal int QueuedBatches => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

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
}
