using System.IO.Pipelines;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;

namespace FastScore.Streams;

/// <summary>
/// A running output stream: values → encoded → schema-checked → framed → transport. Values are encoded and checked on
/// the caller's thread into an <see cref="OutputBatch"/>; a background task frames and writes batches from a bounded
/// channel, so a slow transport slows the producer (backpressure).
/// </summary>
/// <remarks>One producer at a time. Call <see cref="CompleteAsync"/> to close it successfully; disposing without
/// completing aborts the output (for S3: no partial object).</remarks>
public sealed class OutputStream : IAsyncDisposable
{
    private readonly OutputTransport _transport;
    private readonly Framer? _framer;
    private readonly SchemaChecker _checker;
    private readonly Action<RejectedRecord>? _onRejected;
    private readonly Channel<OutputBatch> _channel;
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxBatchRecords;
    private readonly byte[]? _suffix;
    private readonly TimeProvider _time;
    private readonly bool _confirmsDelivery;
    private OutputBatch? _pending;
    private Task? _writer;
    private long _sequence;
    private int _state; // 0 new, 1 open, 2 completed, 3 disposed
    private object? _validEncoder; // a ValidEncoderOf<T>
    private int _batchBytesHint = 16 * 1024; // the last batch's size: the next one starts that big, so it rarely grows
    private int _batchRecordsHint = 64;
    private bool _hasData;

    internal OutputStream(StreamDescriptor descriptor, string name, int slot, OutputTransport transport, Framer? framer,
        RecordEncoding encoding, SchemaChecker checker, Avro.Schema? schema, Action<RejectedRecord>? onRejected, int maxBatchRecords, int channelCapacity,
        TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        Descriptor = descriptor;
        Name = name;
        Slot = slot;
        _transport = transport;
        _framer = framer;
        Encoding = encoding;
        _checker = checker;
        Schema = schema;
        _onRejected = onRejected;
        _maxBatchRecords = maxBatchRecords;
        _suffix = transport is ByteOutputTransport && framer is { RecordSuffix.IsEmpty: false } ? framer.RecordSuffix.ToArray() : null; // batches hold their records framed
        Counters.TrackDeliveries(transport); // records the transport reports undelivered are not counted as written
        _confirmsDelivery = transport.ConfirmsDelivery;
        _channel = Channel.CreateBounded<OutputBatch>(new BoundedChannelOptions(channelCapacity)
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

    /// <summary>Gets the encoding.</summary>
    public RecordEncoding Encoding { get; }

    /// <summary>Gets the resolved Avro schema outputs are checked against, or <see langword="null"/>.</summary>
    public Avro.Schema? Schema { get; }

    /// <summary>Gets the stream's counters.</summary>
    public StreamCounters Counters { get; } = new();

    /// <summary>Gets a description of the destination, safe to display.</summary>
    public string TransportDisplayName => _transport.DisplayName;

    /// <summary>Gets a value indicating whether the stream was completed (closed successfully).</summary>
    public bool IsCompleted => _state == 2;

    /// <summary>Gets a value indicating whether a non-empty batch was ever sent to the transport (or is waiting to be).</summary>
    internal bool HasData => _hasData || _pending is { Count: > 0 };

    /// <summary>Opens the transport and starts the writer task. Called by the first write if not called before.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>A task that completes when open.</returns>
    public async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_state != 0)
        {
            ObjectDisposedException.ThrowIf(_state == 3, this);
            return;
        }

        await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_framer is not null && _transport is ByteOutputTransport bytes)
        {
            _framer.WriteStart(bytes.Writer);
        }

        _state = 1;
        _writer = Task.Run(() => WriteLoopAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Creates an empty batch to fill with <see cref="TryAdd{T}"/> and send with <see cref="WriteAsync(OutputBatch, CancellationToken)"/>.</summary>
    /// <returns>The batch.</returns>
    /// <summary>Gets how many batches wait in the stream's channel for its writer.</summary>
    internal int QueuedBatches => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

    /// <summary>Creates an empty batch to fill with <see cref="TryAdd{T}"/> and send with <see cref="WriteAsync(OutputBatch, CancellationToken)"/>.</summary>
    internal OutputBatch CreateBatch() => new(_batchBytesHint, _batchRecordsHint) { Suffix = _suffix };

    /// <summary>Gets a value indicating whether the transport writes message headers (a message output, e.g. Kafka): only then do records carry the batch span's trace context.</summary>
    internal bool CarriesHeaders => _transport is MessageOutputTransport;

    /// <summary>Encodes and checks one value into a batch. A value that cannot be encoded or fails the schema is counted, reported and left out.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="batch">The batch.</param>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when added.</returns>
    internal bool TryAdd<T>(OutputBatch batch, T value)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long sequence = ++_sequence;
        batch.BeginRecord();
        if (ValidEncoder<T>() is { } validEncoder && validEncoder.TryEncodeValid(value, batch))
        {
            batch.EndRecord(); // valid by construction: the check would accept it
            return true;
        }

        RecordRejection rejection;
        try
        {
            Encoding.Encode(value, batch);
        }
        catch (Exception ex) when (ex is StreamFormatException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            ReadOnlySpan<byte> partial = batch.CurrentRecord;
            batch.AbandonRecord();
            Reject(partial, sequence, new RecordRejection(RejectionKind.Encoding, ex.Message));
            return false;
        }

        bool valid;
        try
        {
            valid = _checker.TryCheck(batch.CurrentRecord, out rejection);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            valid = false; // a checker defect this record exposed: the record is rejected, the stream goes on
            rejection = new RecordRejection(RejectionKind.Encoding, Internal.RecordFailure.Describe(ex));
        }

        if (valid)
        {
            batch.EndRecord();
            return true;
        }

        Reject(batch.CurrentRecord, sequence, rejection);
        batch.AbandonRecord();
        return false;
    }

    /// <summary>Adds a control record (end, set, pig) to a batch, in the encoding's wire form.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="control">The control record.</param>
    internal void AddControl(OutputBatch batch, ControlRecord control)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.BeginRecord();
        Encoding.WriteControl(control, batch);
        batch.EndRecord(control.Kind);
    }

    /// <summary>Sends a batch to the writer task (waits when the channel is full: backpressure). The stream owns the batch afterwards.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the batch is queued.</returns>
    internal async ValueTask WriteAsync(OutputBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count > 0)
        {
            _hasData = true;
            _batchBytesHint = Math.Clamp(batch.ByteCount, 16 * 1024, 4 * 1024 * 1024);
            _batchRecordsHint = Math.Clamp(batch.Count, 16, 64 * 1024);
        }

        await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _channel.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            batch.Dispose();
            throw ex.InnerException as StreamException ?? new StreamException($"Output stream '{Name}' is closed.", ex.InnerException);
        }
    }

    /// <summary>Writes one value (buffered; sent in batches). A rejected value is counted and reported.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> when the value was accepted.</returns>
    public async ValueTask<bool> WriteAsync<T>(T value, CancellationToken cancellationToken = default)
    {
        _pending ??= CreateBatch();
        bool added = TryAdd(_pending, value);
        if (_pending.Count >= _maxBatchRecords || _pending.ByteCount >= 256 * 1024)
        {
            OutputBatch full = _pending;
            _pending = null;
            await WriteAsync(full, cancellationToken).ConfigureAwait(false);
        }

        return added;
    }

    /// <summary>Waits until everything sent so far is written and durable (file fsync'd, Kafka acknowledged).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when flushed.</returns>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        OutputBatch marker = _pending ?? CreateBatch();
        _pending = null;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        marker.FlushCompletion = done;
        await WriteAsync(marker, cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes the stream successfully: writes what is pending, the envelope's end, and completes the transport.
    /// Pending writes get up to the descriptor's LingerTime (no limit when it is <see langword="null"/>); when they do
    /// not finish in time the output is aborted and a <see cref="StreamException"/> says so.
    /// </summary>
    /// <param name="cancellationToken">Cancels closing.</param>
    /// <returns>A task that completes when closed.</returns>
    /// <exception cref="StreamException">Writing failed, or did not finish within LingerTime.</exception>
    public ValueTask CompleteAsync(CancellationToken cancellationToken = default) => CompleteAsync(null, cancellationToken);

    /// <summary>Closes the stream after sending <paramref name="last"/> (if not null), all under the LingerTime limit.</summary>
    internal async ValueTask CompleteAsync(OutputBatch? last, CancellationToken cancellationToken)
    {
        if (_state == 2)
        {
            last?.Dispose();
            return;
        }

        await OpenAsync(cancellationToken).ConfigureAwait(false);
        OutputBatch? pending = _pending;
        _pending = null;
        Task writer = _writer!;
        using CancellationTokenSource? linger = Descriptor.LingerTime is { } ms ? new CancellationTokenSource(TimeSpan.FromMilliseconds(ms), _time) : null;
        using CancellationTokenSource? both = linger is null ? null : CancellationTokenSource.CreateLinkedTokenSource(linger.Token, cancellationToken);
        CancellationToken token = both?.Token ?? cancellationToken;
        try
        {
            if (pending is not null)
            {
                await _channel.Writer.WriteAsync(pending, token).ConfigureAwait(false);
                pending = null;
            }

            if (last is not null)
            {
                await _channel.Writer.WriteAsync(last, token).ConfigureAwait(false);
                last = null;
            }

            _channel.Writer.TryComplete();
            await writer.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linger?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            throw new StreamException($"Output stream '{Name}' did not finish writing within LingerTime ({Descriptor.LingerTime} ms); the output was aborted.") { StreamName = Name };
        }
        catch (ChannelClosedException)
        {
            await writer.ConfigureAwait(false); // the writer failed: its exception says why
            throw;
        }
        finally
        {
            pending?.Dispose();
            last?.Dispose();
        }

        if (_framer is not null && _transport is ByteOutputTransport bytes)
        {
            _framer.WriteEnd(bytes.Writer);
        }

        await _transport.CompleteAsync(cancellationToken).ConfigureAwait(false);
        _state = 2;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_state == 3)
        {
            return;
        }

        bool abandoned = _state == 1;
        _state = 3;
        _channel.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_writer is not null)
        {
            try
            {
                await _writer.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // aborted: the failure was reported by CompleteAsync or a write
            }
        }

        while (_channel.Reader.TryRead(out OutputBatch? batch))
        {
            batch.FlushCompletion?.TrySetCanceled();
            batch.Dispose();
        }

        _pending?.Dispose();
        await _transport.DisposeAsync().ConfigureAwait(false);
        if (abandoned && _transport.IsAtomic)
        {
            Counters.MarkAbandoned(); // e.g. an aborted S3 upload: no object, so nothing was written
        }

        _stop.Dispose();
    }

    private async Task WriteLoopAsync(CancellationToken cancellationToken)
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        try
        {
            await foreach (OutputBatch batch in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    long records = 0, bytes = 0;
                    if (_transport is ByteOutputTransport byteOutput)
                    {
                        Framer framer = _framer ?? throw new StreamException($"Stream '{Name}' writes bytes but has no envelope.");
                        bool framed = batch.Suffix is not null && batch.Suffix == _suffix;
                        for (int i = 0; i < batch.Count; i++)
                        {
                            ReadOnlySpan<byte> record = batch.GetRecordSpan(i);
                            if (!framed)
                            {
                                framer.WriteFrame(record, byteOutput.Writer);
                            }

                            if (batch.GetControl(i) == ControlKind.None)
                            {
                                records++;
                                bytes += record.Length;
                            }
                        }

                        if (!framed)
                        {
                            framer.WriteBatchEnd(byteOutput.Writer);
                        }

                        FlushResult flushed = framed
                            ? await byteOutput.Writer.WriteAsync(batch.Framed, cancellationToken).ConfigureAwait(false) // framed by the encoder already
                            : await byteOutput.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                        if (flushed.IsCanceled)
                        {
                            throw new OperationCanceledException(cancellationToken);
                        }
                    }
                    else
                    {
                        var messageOutput = (MessageOutputTransport)_transport;
                        messages.Clear();
                        for (int i = 0; i < batch.Count; i++)
                        {
                            messages.Add(batch.GetRecordMemory(i));
                            if (batch.GetControl(i) == ControlKind.None)
                            {
                                records++;
                                bytes += batch.GetRecordMemory(i).Length;
                            }
                        }

                        if (messages.Count > 0)
                        {
                            if (_confirmsDelivery)
                            {
                                // Counted when handed over: the transport reports each one it does not deliver (UndeliveredRecords).
                                Counters.Add(records, bytes);
                                records = bytes = 0;
                            }

                            if (batch.HasHeaders)
                            {
                                var headers = new IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?[messages.Count];
                                for (int i = 0; i < headers.Length; i++)
                                {
                                    headers[i] = batch.GetHeaders(i);
                                }

                                await messageOutput.WriteAsync(messages, headers, cancellationToken).ConfigureAwait(false);
                            }
                            else
                            {
                                await messageOutput.WriteAsync(messages, cancellationToken).ConfigureAwait(false);
                            }
                        }
                    }

                    Counters.Add(records, bytes);
                    if (batch.FlushCompletion is { } done)
                    {
                        await _transport.FlushAsync(cancellationToken).ConfigureAwait(false);
                        done.TrySetResult();
                    }
                }
                catch (Exception ex)
                {
                    batch.FlushCompletion?.TrySetException(ex);
                    throw;
                }
                finally
                {
                    batch.Dispose();
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var error = ex as StreamException ?? new StreamException($"Output stream '{Name}' failed: {ex.Message}", ex) { StreamName = Name };
            _channel.Writer.TryComplete(error);
            throw error;
        }
    }

    /// <summary>
    /// The encoding's writer for <typeparamref name="T"/> whose records are valid by construction for the stream's checker
    /// (<see cref="RecordEncoding.CreateValidEncoder{T}"/>), so outputs need no check; <see langword="null"/> otherwise.
    /// </summary>
    private ValidEncoder<T>? ValidEncoder<T>()
    {
        if (_validEncoder is ValidEncoderOf<T> cached)
        {
            return cached.Encoder;
        }

        ValidEncoder<T>? encoder = CheckedRecords.CreateEncoder<T>(Encoding, _checker) ?? Encoding.CreateValidEncoder<T>(_checker);
        _validEncoder = new ValidEncoderOf<T>(encoder); // the last type written (models emit one type)
        return encoder;
    }

    private void Reject(ReadOnlySpan<byte> record, long sequenceNumber, RecordRejection rejection)
    {
        Counters.AddRejected(rejection.Kind);
        _onRejected?.Invoke(new RejectedRecord(Name, Slot, sequenceNumber, rejection.Kind, rejection.Reason, null, RejectedRecord.MakePreview(record)) { Record = record.ToArray() });
    }
}

/// <summary>The valid-by-construction encoder an output stream found for a type (<see langword="null"/>: none).</summary>
internal sealed record ValidEncoderOf<T>(ValidEncoder<T>? Encoder);
