using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Diagnostics;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka;

/// <summary>
/// Reads a Kafka topic: one partition (<c>Assign</c>) or, with a <c>Group</c>, every partition the consumer group gives
/// this instance (<c>Subscribe</c>). Confluent's blocking consumer runs on one dedicated thread that hands chunks of
/// messages to <see cref="ReadAsync"/> through a bounded channel (backpressure). Offsets are committed only for
/// acknowledged messages (<see cref="AcknowledgeAsync"/>), on the consumer thread.
/// </summary>
internal sealed partial class KafkaInputTransport : MessageInputTransport
{
    /// <summary>The most messages handed over in one chunk.</summary>
    internal const int MaxChunk = 512;

    // How long one blocking Consume waits: it bounds how late the thread notices a stop (Consume cannot be interrupted).
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_commitInterval = TimeSpan.FromMilliseconds(100);

    private readonly KafkaTransportDescriptor _descriptor;
    private readonly StreamDescriptor _stream;
    private readonly KafkaTransportOptions _options;
    private readonly string _streamName;
    private readonly ILogger _logger;
    private readonly bool _useGroup;
    private readonly bool _commits;
    private readonly Channel<List<InputMessage>> _chunks;
    private readonly ManualResetEventSlim _space = new(false);
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly KafkaClientErrors _errors;

    // Shared between the reader and the consumer thread, under _gate.
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _delivered = [];
    private readonly HashSet<int> _assigned = [];
    private readonly Dictionary<int, int> _revokedAt = [];
    private Dictionary<int, long> _toCommit = [];
    private int _revocations;

    private IConsumer<byte[]?, byte[]?>? _consumer;
    private readonly ConcurrentDictionary<int, long> _lag = new();
    private readonly HashSet<int> _lagSeen = [];
    private RecordPosition _start;
    private CancellationTokenSource? _stop;
    private Task _loop = Task.CompletedTask;
    private List<InputMessage>? _current;
    private int _currentIndex;
    private long _lastRecord;
    private long _lastCommit; // consumer thread only
    private int _disposed;

    public KafkaInputTransport(StreamDescriptor stream, KafkaTransportOptions options, TransportContext context)
    {
        _stream = stream;
        _descriptor = (KafkaTransportDescriptor)stream.Transport;
        _options = options;
        _streamName = context.StreamName;
        _logger = context.LoggerFactory.CreateLogger(Log.Category);
        _useGroup = !string.IsNullOrEmpty(_descriptor.Group);
        _commits = _useGroup && _descriptor.CommitOffset;
        _errors = new KafkaClientErrors(_logger, _streamName, _descriptor.BootstrapServers, _time);
        int capacity = Math.Max(1, (options.MaxBufferedMessages + MaxChunk - 1) / MaxChunk);
        _chunks = Channel.CreateBounded<List<InputMessage>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public override bool CanSeek => true;

    public override string DisplayName => DescribeSource(_descriptor);

    internal static string DescribeSource(KafkaTransportDescriptor d) =>
        string.IsNullOrEmpty(d.Group)
            ? string.Create(CultureInfo.InvariantCulture, $"kafka:{d.Topic}/{d.Partition} ({string.Join(",", d.BootstrapServers)})")
            : $"kafka:{d.Topic} group {d.Group} ({string.Join(",", d.BootstrapServers)})";

    public override async ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        RecordPosition start = position ?? (_stream.Loop ? RecordPosition.Earliest : RecordPosition.Latest);
        if (_consumer is null)
        {
            _start = start;
            _consumer = await Task.Run(() => Build(start), cancellationToken).ConfigureAwait(false);
            KafkaMetrics.Register(this);
        }
        else
        {
            // Loop: rewind. The consumer thread is stopped while the consumer is moved.
            await StopLoopAsync().ConfigureAwait(false);
            DrainBuffered();
            _start = start;
            await Task.Run(() => Rewind(start), cancellationToken).ConfigureAwait(false);
        }

        Log.InputOpened(_logger, _streamName, DisplayName, KafkaClientConfig.Describe(start));
        _lastRecord = _time.GetTimestamp();
        StartLoop();
    }

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        int limit = Math.Max(1, maxMessages);
        int start = batch.Count;
        while (batch.Count == start)
        {
            if (_current is null || _currentIndex >= _current.Count)
            {
                List<InputMessage>? next = await NextChunkAsync(cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    return false;
                }

                _current = next;
                _currentIndex = 0;
            }

            KafkaMessageMetadata? last = null;
            lock (_gate)
            {
                while (batch.Count - start < limit && _currentIndex < _current.Count)
                {
                    InputMessage message = _current[_currentIndex++];
                    var metadata = (KafkaMessageMetadata)message.Metadata!;
                    if (metadata.Epoch != _revocations && _revokedAt.TryGetValue(metadata.Partition, out int revokedAt) && revokedAt > metadata.Epoch)
                    {
                        continue; // read ahead from a partition revoked since: its new owner reads it from the committed offset
                    }

                    last = metadata;
                    _delivered[metadata.Partition] = metadata.Offset + 1;
                    batch.Add(message);
                }

                if (_commits && last is not null)
                {
                    last.AckOffsets = [.. _delivered];
                }
            }

            if (_currentIndex >= _current.Count)
            {
                _current = null;
            }
        }

        Interlocked.Exchange(ref _lastRecord, _time.GetTimestamp());
        return true;
    }

    /// <summary>
    /// Records that every message up to <paramref name="upTo"/> is processed and its outputs delivered: the next offset
    /// of every partition delivered up to then is committed by the consumer thread (within ~100 ms) and on close.
    /// Without a Group, or with CommitOffset false, nothing is committed.
    /// </summary>
    public override ValueTask AcknowledgeAsync(InputMessage upTo, CancellationToken cancellationToken)
    {
        if (!_commits || upTo.Metadata is not KafkaMessageMetadata kafka || !ReferenceEquals(kafka.Source, this))
        {
            return default;
        }

        lock (_gate)
        {
            if (kafka.AckOffsets is { } offsets)
            {
                foreach ((int partition, long next) in offsets)
                {
                    _toCommit[partition] = next;
                }
            }
            else
            {
                _toCommit[kafka.Partition] = kafka.Offset + 1;
            }
        }

        return default;
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        KafkaMetrics.Unregister(this);

        // With the brokers unreachable the last commit can wait for the group coordinator up to session.timeout.ms:
        // the close is bounded by CloseTimeout and otherwise finishes in the background (uncommitted records are read again).
        await KafkaClose.WaitAsync(CloseAsync(), _options.CloseTimeout, _logger, _streamName, "consumer").ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CloseAsync()
    {
        await StopLoopAsync().ConfigureAwait(false); // the consumer thread may be waiting in a commit
        DrainBuffered();
        if (_consumer is { } consumer)
        {
            await KafkaClose.OnOwnThread(() =>
            {
                try
                {
                    CommitPending(consumer);
                    consumer.Close(); // leaves the group at once (the revoke handler commits what is acknowledged)
                }
                catch (Exception ex) when (ex is KafkaException or ObjectDisposedException or InvalidOperationException)
                {
                    Log.CloseFailed(_logger, _streamName, ex.Message);
                }
                finally
                {
                    consumer.Dispose();
                }
            }).ConfigureAwait(false);
        }

        _space.Dispose();
    }

    private IConsumer<byte[]?, byte[]?> Build(RecordPosition start)
    {
        string groupId = _useGroup
            ? _descriptor.Group!
            : _descriptor.Config.TryGetValue("group.id", out string? configured) && configured.Length > 0
                ? configured
                : "fastscore-" + Guid.NewGuid().ToString("N"); // Assign mode commits nothing; librdkafka still wants a group id
        IConsumer<byte[]?, byte[]?> consumer;
        try
        {
            ConsumerConfig config = KafkaClientConfig.Consumer(_descriptor, start, groupId, _options);
            var builder = new ConsumerBuilder<byte[]?, byte[]?>(config)
                .SetKeyDeserializer(Deserializers.ByteArray)
                .SetValueDeserializer(Deserializers.ByteArray)
                .SetErrorHandler(OnError);
            if (_options.ForwardClientLogs)
            {
                builder.SetLogHandler((_, m) => Log.ClientLog(_logger, Log.ToLogLevel(m), _streamName, m.Facility, m.Message));
            }

            if (_useGroup)
            {
                builder.SetPartitionsAssignedHandler(OnAssigned)
                    .SetPartitionsRevokedHandler(OnRevoked)
                    .SetPartitionsLostHandler(OnLost);
            }

            consumer = builder.Build();
        }
        catch (Exception ex) when (ex is KafkaException or ArgumentException or InvalidOperationException)
        {
            throw KafkaStreamException.WrapBuild($"Cannot create the Kafka consumer of stream '{_streamName}' ({DisplayName})", ex, _streamName);
        }

        try
        {
            if (_useGroup)
            {
                consumer.Subscribe(_descriptor.Topic);
            }
            else
            {
                lock (_gate)
                {
                    _assigned.Add(_descriptor.Partition);
                }

                consumer.Assign(new TopicPartitionOffset(_descriptor.Topic, _descriptor.Partition, ToOffset(start)));
            }
        }
        catch (KafkaException ex)
        {
            consumer.Dispose();
            throw KafkaStreamException.Wrap($"Cannot start consuming {DisplayName} for stream '{_streamName}'", ex, _streamName);
        }

        return consumer;
    }

    private void Rewind(RecordPosition start)
    {
        IConsumer<byte[]?, byte[]?> consumer = _consumer!;
        lock (_gate)
        {
            _delivered.Clear();
        }

        try
        {
            if (!_useGroup)
            {
                consumer.Assign(new TopicPartitionOffset(_descriptor.Topic, _descriptor.Partition, ToOffset(start)));
                return;
            }

            foreach (TopicPartition partition in consumer.Assignment)
            {
                consumer.Seek(new TopicPartitionOffset(partition, ToOffset(start)));
            }
        }
        catch (KafkaException ex)
        {
            throw KafkaStreamException.Wrap($"Cannot rewind {DisplayName} for stream '{_streamName}'", ex, _streamName);
        }
    }

    private static Offset ToOffset(RecordPosition position) => position.Kind switch
    {
        RecordPositionKind.Earliest => Offset.Beginning,
        RecordPositionKind.Latest => Offset.End,
        _ => new Offset(position.Offset),
    };
}
