using System.Globalization;
using System.Threading.Channels;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Diagnostics;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka;

// The dedicated consumer thread: consumes, converts and hands chunks of messages to ReadAsync (see KafkaInputTransport.cs).
internal sealed partial class KafkaInputTransport
{
    private void StartLoop()
    {
        _stop = new CancellationTokenSource();
        CancellationToken stop = _stop.Token;
        IConsumer<byte[]?, byte[]?> consumer = _consumer!;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = done.Task;
        var thread = new Thread(() =>
        {
            try
            {
                ConsumeLoop(consumer, stop);
            }
            finally
            {
                done.TrySetResult();
            }
        })
        {
            IsBackground = true,
            Name = "fastscore-kafka:" + _descriptor.Topic,
        };
        thread.Start();
    }

    private async Task StopLoopAsync()
    {
        if (_stop is { } stop)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(false);
            stop.Dispose();
            _stop = null;
        }
    }

    private void DrainBuffered()
    {
        _current = null;
        while (_chunks.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>The dedicated consumer thread: the only place (besides open/close) that calls the consumer.</summary>
    private void ConsumeLoop(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                CommitPending(consumer, throttled: true);
                ConsumeResult<byte[]?, byte[]?>? result = Consume(consumer, s_poll);
                if (result is null)
                {
                    if (KafkaMetrics.Lag.Enabled)
                    {
                        UpdateLagFromPositions(consumer); // idle: caught up, or nothing fetched yet
                    }

                    continue;
                }

                var chunk = new List<InputMessage>(16) { Convert(result) };
                while (chunk.Count < MaxChunk && Consume(consumer, TimeSpan.Zero) is { } more)
                {
                    chunk.Add(Convert(more));
                }

                if (KafkaMetrics.Lag.Enabled)
                {
                    UpdateLag(consumer, chunk);
                }

                Enqueue(consumer, chunk, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _chunks.Writer.TryComplete(KafkaStreamException.Wrap($"Kafka input {DisplayName} of stream '{_streamName}' failed", ex, _streamName));
        }
    }

    /// <summary>Gets the last consumer lag of each partition this input consumed from (for <see cref="KafkaMetrics.Lag"/>).</summary>
    internal IEnumerable<System.Diagnostics.Metrics.Measurement<long>> LagMeasurements()
    {
        foreach (KeyValuePair<int, long> lag in _lag)
        {
            yield return new System.Diagnostics.Metrics.Measurement<long>(lag.Value,
            [
                new("messaging.system", "kafka"),
                new("messaging.destination.name", _descriptor.Topic),
                new("messaging.destination.partition.id", lag.Key.ToString(CultureInfo.InvariantCulture)),
                new("messaging.consumer.group.name", _descriptor.Group),
                new("stream", _streamName),
            ]);
        }
    }

    /// <summary>After a fetched chunk: each partition's high watermark (cached by the client, no request) minus the next offset.</summary>
    private void UpdateLag(IConsumer<byte[]?, byte[]?> consumer, List<InputMessage> chunk)
    {
        for (int i = chunk.Count - 1; i >= 0; i--)
        {
            if (chunk[i].Metadata is KafkaMessageMetadata m && (i == chunk.Count - 1 || !_lagSeen.Contains(m.Partition)))
            {
                _lagSeen.Add(m.Partition);
                long high = consumer.GetWatermarkOffsets(new TopicPartition(m.Topic, m.Partition)).High.Value;
                if (high >= 0)
                {
                    _lag[m.Partition] = Math.Max(0, high - (m.Offset + 1));
                }
            }
        }

        _lagSeen.Clear();
    }

    /// <summary>While idle: each assigned partition's high watermark minus the consumer's position.</summary>
    private void UpdateLagFromPositions(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            foreach (TopicPartition partition in consumer.Assignment)
            {
                long position = consumer.Position(partition).Value;
                long high = consumer.GetWatermarkOffsets(partition).High.Value;
                if (position >= 0 && high >= 0)
                {
                    _lag[partition.Partition.Value] = Math.Max(0, high - position);
                }
            }
        }
        catch (KafkaException)
        {
            // not known yet: the gauge keeps its last values
        }
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan timeout)
    {
        try
        {
            ConsumeResult<byte[]?, byte[]?>? result = consumer.Consume(timeout);
            return result is { IsPartitionEOF: false } ? result : null;
        }
        catch (ConsumeException ex)
        {
            Log.ConsumeError(_logger, _streamName, ex.Error.Code.ToString(), ex.Error.Reason, ex.Error.IsFatal);
            if (ex.Error.IsFatal)
            {
                throw;
            }

            return null;
        }
    }

    private void Enqueue(IConsumer<byte[]?, byte[]?> consumer, List<InputMessage> chunk, CancellationToken stop)
    {
        while (true)
        {
            _space.Reset();
            if (_chunks.Writer.TryWrite(chunk))
            {
                return;
            }

            // The buffer is full (the stream is slower than Kafka): wait, and keep committing meanwhile.
            _space.Wait(s_poll, stop);
            CommitPending(consumer, throttled: true);
        }
    }

    private InputMessage Convert(ConsumeResult<byte[]?, byte[]?> result)
    {
        Message<byte[]?, byte[]?> message = result.Message;
        IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? headers = null;
        if (message.Headers is { Count: > 0 } source)
        {
            var copy = new KeyValuePair<string, ReadOnlyMemory<byte>>[source.Count];
            for (int i = 0; i < copy.Length; i++)
            {
                IHeader header = source[i];
                copy[i] = new(header.Key, header.GetValueBytes() ?? []);
            }

            headers = copy;
        }

        var metadata = new KafkaMessageMetadata(this, result.Topic, result.Partition.Value, result.Offset.Value, message.Timestamp, message.Key, headers)
        {
            Epoch = Volatile.Read(ref _revocations),
        };
        return new InputMessage(message.Value ?? [], metadata);
    }

    private async ValueTask<List<InputMessage>?> NextChunkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_chunks.Reader.TryRead(out List<InputMessage>? chunk))
            {
                _space.Set();
                return chunk;
            }

            if (_descriptor.MaxWaitTime is not { } maxWait)
            {
                if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                continue;
            }

            TimeSpan left = TimeSpan.FromMilliseconds(maxWait) - _time.GetElapsedTime(Interlocked.Read(ref _lastRecord));
            if (left <= TimeSpan.Zero)
            {
                return null; // MaxWaitTime without records: end of stream
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(left);
            try
            {
                if (!await _chunks.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    return null;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
    }
}
