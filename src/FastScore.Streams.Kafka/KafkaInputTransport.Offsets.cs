using System.Globalization;
using System.Threading.Channels;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Diagnostics;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka;

// Offsets: commits of acknowledged messages, and the consumer group's rebalance callbacks (see KafkaInputTransport.cs).
internal sealed partial class KafkaInputTransport
{
    /// <summary>Commits the acknowledged offsets of the partitions this instance still owns. Runs on the consumer thread (or after it stopped).</summary>
    private void CommitPending(IConsumer<byte[]?, byte[]?> consumer, bool throttled = false)
    {
        if (throttled && _time.GetElapsedTime(_lastCommit) < s_commitInterval)
        {
            return; // acknowledgements arriving per batch are committed together, at most every 100 ms
        }

        _lastCommit = _time.GetTimestamp();
        List<TopicPartitionOffset> offsets;
        Dictionary<int, long> pending;
        lock (_gate)
        {
            if (_toCommit.Count == 0)
            {
                return;
            }

            pending = _toCommit;
            _toCommit = [];
            offsets = [];
            foreach ((int partition, long next) in pending)
            {
                if (_assigned.Contains(partition))
                {
                    offsets.Add(new TopicPartitionOffset(_descriptor.Topic, partition, next));
                }
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                Log.Committed(_logger, _streamName, Format(offsets));
            }
        }
        catch (KafkaException ex)
        {
            if (ex.Error.Code is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration)
            {
                Log.CommitDeferred(_logger, _streamName, Format(offsets), KafkaStreamException.Describe(ex.Error));
            }
            else
            {
                Log.CommitFailed(_logger, _streamName, Format(offsets), KafkaStreamException.Describe(ex.Error));
            }

            if (ex.Error.IsFatal)
            {
                throw;
            }

            lock (_gate)
            {
                foreach (TopicPartitionOffset offset in offsets)
                {
                    _toCommit.TryAdd(offset.Partition.Value, offset.Offset.Value); // a newer acknowledgement wins
                }
            }
        }
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        Log.PartitionsAssigned(_logger, _streamName, Format(partitions));
        Interlocked.Exchange(ref _lastRecord, _time.GetTimestamp()); // MaxWaitTime counts from the assignment, not from joining
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                _assigned.Add(partition.Partition.Value);
            }
        }

        if (_start.Kind != RecordPositionKind.Offset)
        {
            return partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset)); // committed offset, else auto.offset.reset
        }

        // SkipToRecord is a number: used only where the group has no committed offset yet.
        try
        {
            List<TopicPartitionOffset> committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10));
            return committed.Select(c => c.Offset == Offset.Unset || c.Offset.Value < 0
                ? new TopicPartitionOffset(c.TopicPartition, new Offset(_start.Offset))
                : new TopicPartitionOffset(c.TopicPartition, Offset.Unset));
        }
        catch (KafkaException ex)
        {
            Log.ConsumeError(_logger, _streamName, ex.Error.Code.ToString(), "reading committed offsets: " + ex.Error.Reason, ex.Error.IsFatal);
            return partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset));
        }
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        Log.PartitionsRevoked(_logger, _streamName, Format(partitions.Select(p => p.TopicPartition)));
        try
        {
            CommitPending(consumer); // acknowledged offsets are committed; the rest is read again by the new owner
        }
        catch (KafkaException ex)
        {
            Log.CommitFailed(_logger, _streamName, "on revoke", KafkaStreamException.Describe(ex.Error));
        }

        Forget(partitions);
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        Log.PartitionsLost(_logger, _streamName, Format(partitions.Select(p => p.TopicPartition)));
        Forget(partitions);
    }

    private void Forget(List<TopicPartitionOffset> partitions)
    {
        lock (_gate)
        {
            int epoch = Interlocked.Increment(ref _revocations);
            foreach (TopicPartitionOffset partition in partitions)
            {
                int p = partition.Partition.Value;
                _revokedAt[p] = epoch;
                _assigned.Remove(p);
                _delivered.Remove(p);
                _toCommit.Remove(p);
            }
        }
    }

    private void OnError(IConsumer<byte[]?, byte[]?> consumer, Error error)
    {
        _errors.Report(error);
        if (error.IsFatal)
        {
            _chunks.Writer.TryComplete(new KafkaStreamException(
                $"Kafka input {DisplayName} of stream '{_streamName}' failed: {KafkaStreamException.Describe(error)}", new KafkaException(error)) { StreamName = _streamName });
        }
    }

    private static string Format(IEnumerable<TopicPartitionOffset> offsets) =>
        string.Join(", ", offsets.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Topic}/{o.Partition.Value}@{o.Offset.Value}")));

    private static string Format(IEnumerable<TopicPartition> partitions) =>
        string.Join(", ", partitions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Topic}/{p.Partition.Value}")));
}
