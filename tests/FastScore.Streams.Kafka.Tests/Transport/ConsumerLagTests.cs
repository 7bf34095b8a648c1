using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FastScore.Streams.Kafka.Tests.Infrastructure;

namespace FastScore.Streams.Kafka.Tests.Transport;

/// <summary>Issue 17 point 2: <c>messaging.kafka.consumer.lag</c> per partition, read with a MeterListener.</summary>
[Category("Integration")]
[NonParallelizable]
public sealed class ConsumerLagTests
{
    [Test]
    public async Task The_lag_gauge_shows_what_the_partition_holds_beyond_the_consumer_and_reaches_0_once_everything_is_read()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("lag", partitions: 1);
        const int Total = 20_000;
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(1, Total).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), partition: 0);

        var lags = new ConcurrentQueue<(long Value, string? Topic, string? Partition)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "FastScore.Streams.Kafka" && instrument.Name == "messaging.kafka.consumer.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            KeyValuePair<string, object?>[] all = tags.ToArray();
            string? Tag(string name) => all.FirstOrDefault(t => t.Key == name).Value as string;
            if (Tag("messaging.destination.name") == topic)
            {
                lags.Enqueue((value, topic, Tag("messaging.destination.partition.id")));
            }
        });
        listener.Start();

        await using InputStream input = KafkaStreams.RawFactory().CreateInput(KafkaStreams.Input(KafkaStreams.Transport(cluster, topic)));
        List<(string Value, KafkaMessageMetadata Metadata)> first = await input.ReadRecordsAsync(count: 1);
        long behind = await Observe(listener, lags, v => v > 0);   // the bounded buffers are full: the consumer waits, the partition holds more
        List<(string Value, KafkaMessageMetadata Metadata)> rest = await input.ReadRecordsAsync(count: Total - first.Count);
        long caughtUp = await Observe(listener, lags, v => v == 0);

        Assert.Multiple(() =>
        {
            Assert.That(first.Count + rest.Count, Is.GreaterThanOrEqualTo(Total));
            Assert.That(behind, Is.InRange(1, Total - 1));
            Assert.That(caughtUp, Is.Zero);
            Assert.That(lags.Select(l => l.Partition).Distinct(), Is.EqualTo(new[] { "0" }));
        });
    }

    private static async Task<long> Observe(MeterListener listener, ConcurrentQueue<(long Value, string? Topic, string? Partition)> lags, Func<long, bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < KafkaStreams.Guard)
        {
            lags.Clear();
            listener.RecordObservableInstruments();
            if (lags.LastOrDefault() is { Topic: not null } last && condition(last.Value))
            {
                return last.Value;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The lag never met the condition.");
        return -1;
    }
}
