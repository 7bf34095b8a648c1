using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Diagnostics;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka;

/// <summary>
/// Writes each record as one Kafka message (no key) to the descriptor's topic and <c>Partition</c> (so outputs keep
/// their order), through an idempotent producer (<c>acks=all</c>,
/// <c>linger.ms=5</c> unless <c>Config</c> says otherwise). <see cref="FlushAsync"/> returns once every record written
/// so far is acknowledged by the brokers, and throws if any delivery failed: nothing is dropped silently. Records whose
/// delivery failed, that could not be produced, or that were still unacknowledged when the output was disposed are
/// reported by <see cref="UndeliveredRecords"/>, so they are never counted as written.
/// </summary>
internal sealed class KafkaOutputTransport : MessageOutputTransport
{
    private static readonly TimeSpan s_queueFullBackoff = TimeSpan.FromMilliseconds(5);

    private readonly KafkaTransportDescriptor _descriptor;
    private readonly int? _lingerTime;
    private readonly KafkaTransportOptions _options;
    private readonly string _streamName;
    private readonly ILogger _logger;
    private readonly TopicPartition _target;
    private readonly KafkaClientErrors _errors;
    private readonly ConcurrentQueue<DeliveryBatch> _batches = new();
    private IProducer<Null, byte[]>? _producer;
    private long _inFlight;
    private long _failed;
    private long _undelivered;
    private long _undeliveredBytes;
    private Error? _firstError;
    private int _disposed;

    public KafkaOutputTransport(StreamDescriptor stream, KafkaTransportOptions options, TransportContext context)
    {
        _descriptor = (KafkaTransportDescriptor)stream.Transport;
        _lingerTime = stream.LingerTime;
        _options = options;
        _streamName = context.StreamName;
        _logger = context.LoggerFactory.CreateLogger(Log.Category);
        _target = new TopicPartition(_descriptor.Topic, new Partition(_descriptor.Partition));
        _errors = new KafkaClientErrors(_logger, _streamName, _descriptor.BootstrapServers, TimeProvider.System);
    }

    public override string DisplayName => DescribeDestination(_descriptor);

    internal static string DescribeDestination(KafkaTransportDescriptor d) =>
        string.Create(CultureInfo.InvariantCulture, $"kafka:{d.Topic}/{d.Partition} ({string.Join(",", d.BootstrapServers)})");

    /// <summary>Gets how many records were produced but not yet acknowledged (or failed).</summary>
    internal long InFlight => Interlocked.Read(ref _inFlight);

    public override bool ConfirmsDelivery => true;

    public override long UndeliveredRecords => Interlocked.Read(ref _undelivered);

    public override long UndeliveredBytes => Interlocked.Read(ref _undeliveredBytes);

    public override ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_producer is not null)
        {
            return default;
        }

        try
        {
            ProducerConfig config = KafkaClientConfig.Producer(_descriptor, _options);
            var builder = new ProducerBuilder<Null, byte[]>(config)
                .SetValueSerializer(Serializers.ByteArray)
                .SetErrorHandler(OnError);
            if (_options.ForwardClientLogs)
            {
                builder.SetLogHandler((_, m) => Log.ClientLog(_logger, Log.ToLogLevel(m), _streamName, m.Facility, m.Message));
            }

            _producer = builder.Build();
        }
        catch (Exception ex) when (ex is KafkaException or ArgumentException or InvalidOperationException)
        {
            throw KafkaStreamException.WrapBuild($"Cannot create the Kafka producer of stream '{_streamName}' ({DisplayName})", ex, _streamName);
        }

        return default;
    }

    public override ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken) =>
        ProduceAsync(messages, null, cancellationToken);

    /// <summary>Produces each record with its headers (a rejects stream's reason, a propagated <c>traceparent</c>).</summary>
    public override ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?> headers, CancellationToken cancellationToken) =>
        ProduceAsync(messages, headers, cancellationToken);

    private async ValueTask ProduceAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?>? headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        IProducer<Null, byte[]> producer = _producer ?? throw new InvalidOperationException("The Kafka output is not open.");
        var batch = new DeliveryBatch(this, messages.Count);
        ForgetDeliveredBatches();
        _batches.Enqueue(batch);
        int i = 0;
        try
        {
            ThrowIfFailed();
            for (; i < messages.Count; i++)
            {
                var message = new Message<Null, byte[]> { Value = messages[i].ToArray() };
                if (headers is not null && i < headers.Count && headers[i] is { Count: > 0 } recordHeaders)
                {
                    message.Headers = ToKafkaHeaders(recordHeaders);
                }

                batch.Sizes[batch.Produced] = message.Value.Length; // before Produce: its report may come at once
                while (true)
                {
                    Interlocked.Increment(ref _inFlight);
                    try
                    {
                        producer.Produce(_target, message, batch.OnDelivery);
                        batch.Produced++;
                        break;
                    }
                    catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        // librdkafka's local queue is full: wait for deliveries (backpressure), then retry, unless
                        // deliveries are failing (brokers gone for message.timeout.ms): then fail now.
                        Interlocked.Decrement(ref _inFlight);
                        ThrowIfFailed();
                        await Task.Delay(s_queueFullBackoff, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is KafkaException or ArgumentException)
                    {
                        Interlocked.Decrement(ref _inFlight);
                        throw KafkaStreamException.Wrap($"Cannot produce to {DisplayName} for stream '{_streamName}'", ex, _streamName);
                    }
                }
            }
        }
        catch (Exception)
        {
            // The stream counted the whole batch as written: what was not handed to librdkafka is undelivered.
            long bytes = 0;
            for (int j = i; j < messages.Count; j++)
            {
                bytes += messages[j].Length;
            }

            AddUndelivered(messages.Count - i, bytes);
            throw;
        }
        finally
        {
            batch.Closed = true;
        }
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        IProducer<Null, byte[]> producer = _producer ?? throw new InvalidOperationException("The Kafka output is not open.");
        if (InFlight > 0)
        {
            await Task.Run(() => WaitForDeliveries(producer, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFailed();
    }

    public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        IProducer<Null, byte[]>? producer = _producer;
        if (producer is null)
        {
            return;
        }

        if (InFlight > 0)
        {
            // Pending records get LingerTime to be delivered (null: no wait).
            TimeSpan linger = TimeSpan.FromMilliseconds(_lingerTime ?? 0);
            await Task.Run(() =>
            {
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                limit.CancelAfter(linger);
                try
                {
                    WaitForDeliveries(producer, limit.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // reported below
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFailed();
        long undelivered = InFlight;
        if (undelivered > 0)
        {
            throw new StreamException(string.Create(CultureInfo.InvariantCulture,
                $"{undelivered} records to {DisplayName} were not acknowledged within LingerTime ({_lingerTime?.ToString(CultureInfo.InvariantCulture) ?? "null"} ms); the output was aborted."))
            { StreamName = _streamName };
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_producer is { } producer)
        {
            // Not completed: records still queued are abandoned (their inputs were not acknowledged, so they are read
            // again) and counted as undelivered. librdkafka reports nothing for them once the producer is destroyed.
            Task closing = KafkaClose.OnOwnThread(() =>
            {
                producer.Dispose();
                AbandonInFlight();
            });
            await KafkaClose.WaitAsync(closing, _options.CloseTimeout, _logger, _streamName, "producer").ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>After the producer is destroyed: every record still waiting for its report is undelivered.</summary>
    private void AbandonInFlight()
    {
        foreach (DeliveryBatch batch in _batches)
        {
            batch.Abandon();
        }

        Interlocked.Exchange(ref _inFlight, 0);
    }

    private static Headers ToKafkaHeaders(IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> headers)
    {
        var kafka = new Headers();
        foreach (KeyValuePair<string, ReadOnlyMemory<byte>> header in headers)
        {
            kafka.Add(header.Key, header.Value.ToArray());
        }

        return kafka;
    }

    private void ForgetDeliveredBatches()
    {
        while (_batches.TryPeek(out DeliveryBatch? oldest) && oldest.IsDone && _batches.TryDequeue(out _))
        {
        }
    }

    private void AddUndelivered(long records, long bytes)
    {
        if (records > 0)
        {
            Interlocked.Add(ref _undelivered, records);
            Interlocked.Add(ref _undeliveredBytes, bytes);
        }
    }

    private void WaitForDeliveries(IProducer<Null, byte[]> producer, CancellationToken cancellationToken)
    {
        // Flush sends at once (ignoring linger.ms) and waits for the delivery reports; the handler counts them.
        producer.Flush(cancellationToken);
        var spin = default(SpinWait);
        while (InFlight > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            spin.SpinOnce();
        }
    }

    private void OnDelivery(DeliveryReport<Null, byte[]> report, int size)
    {
        if (report.Error.IsError)
        {
            if (Interlocked.Increment(ref _failed) == 1)
            {
                Log.DeliveryFailed(_logger, _streamName, DisplayName, report.Error.Code.ToString(), report.Error.Reason);
            }

            AddUndelivered(1, size);
            Interlocked.CompareExchange(ref _firstError, report.Error, null);
        }

        Interlocked.Decrement(ref _inFlight);
    }

    private void OnError(IProducer<Null, byte[]> producer, Error error)
    {
        _errors.Report(error);
        if (error.IsFatal)
        {
            Interlocked.CompareExchange(ref _firstError, error, null);
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _firstError) is { } error)
        {
            long failed = Interlocked.Read(ref _failed);
            string what = failed > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{failed} records could not be delivered to {DisplayName}")
                : $"The Kafka producer of {DisplayName} failed";
            throw new KafkaStreamException($"{what}: {KafkaStreamException.Describe(error)}", new KafkaException(error)) { StreamName = _streamName };
        }
    }

    /// <summary>
    /// The messages of one <see cref="WriteAsync"/> call and their sizes. Every message goes to the same partition, and
    /// librdkafka reports deliveries of one partition in the order the messages were produced, so the n-th report of a
    /// batch is about its n-th message: a failure is counted with its size, without keeping the message.
    /// </summary>
    private sealed class DeliveryBatch
    {
        private readonly KafkaOutputTransport _owner;
        private int _reported;
        private int _abandoned;

        public DeliveryBatch(KafkaOutputTransport owner, int count)
        {
            _owner = owner;
            Sizes = new int[count];
            OnDelivery = Report;
        }

        public int[] Sizes { get; }

        /// <summary>Gets or sets how many messages were handed to librdkafka (written by the writer only).</summary>
        public int Produced { get; set; }

        public Action<DeliveryReport<Null, byte[]>> OnDelivery { get; }

        /// <summary>Gets or sets a value indicating whether the writer is done with the batch (written by the writer only).</summary>
        public bool Closed { get; set; }

        /// <summary>Gets a value indicating whether every message produced has been reported (read by the writer only).</summary>
        public bool IsDone => Closed && Volatile.Read(ref _reported) >= Produced;

        /// <summary>The producer is destroyed: no more reports will come for the messages not reported yet.</summary>
        public void Abandon()
        {
            if (Interlocked.Exchange(ref _abandoned, 1) != 0)
            {
                return;
            }

            int from = Volatile.Read(ref _reported);
            long bytes = 0;
            for (int i = from; i < Produced; i++)
            {
                bytes += Sizes[i];
            }

            _owner.AddUndelivered(Math.Max(0, Produced - from), bytes);
        }

        private void Report(DeliveryReport<Null, byte[]> report)
        {
            int index = Interlocked.Increment(ref _reported) - 1;
            _owner.OnDelivery(report, index < Sizes.Length ? Sizes[index] : 0);
        }
    }
}
