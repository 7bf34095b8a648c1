using System.Text;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Tests.Infrastructure;

namespace FastScore.Streams.Kafka.Tests.Transport;

/// <summary>Descriptors, factories and produce/consume helpers for Kafka transport tests.</summary>
internal static class KafkaStreams
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>The librdkafka settings the mock cluster needs in tests (infra.md gotchas 3 and 4), passed through <c>Config</c>.</summary>
    public static Dictionary<string, string> TestConfig() => new()
    {
        ["fetch.wait.max.ms"] = "10",
        ["session.timeout.ms"] = "2000",
        ["heartbeat.interval.ms"] = "500",
        ["reconnect.backoff.max.ms"] = "200",
    };

    public static KafkaTransportDescriptor Transport(KafkaTestCluster cluster, string topic, string? group = null, int partition = 0, long? maxWaitTime = 1500) => new()
    {
        BootstrapServers = cluster.BootstrapServers.Split(','),
        Topic = topic,
        Partition = partition,
        Group = group,
        MaxWaitTime = maxWaitTime,
        Config = TestConfig(),
    };

    public static StreamDescriptor Input(KafkaTransportDescriptor transport, RecordPosition? skipToRecord = null) => new()
    {
        Transport = transport,
        SkipToRecord = skipToRecord ?? RecordPosition.Earliest,
        Envelope = null,
        Encoding = null,
        Schema = SchemaReference.None,
    };

    public static StreamDescriptor Output(KafkaTransportDescriptor transport) => new()
    {
        Transport = transport,
        Envelope = null,
        Encoding = null,
        Schema = SchemaReference.None,
    };

    public static StreamFactory RawFactory()
    {
        var options = new StreamFactoryOptions().AddKafka();
        options.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create(EncodingTypes.Null, _ => new TestRawEncoding()));
        return new StreamFactory(options);
    }

    /// <summary>Produces values (with optional keys) and waits for every delivery; returns the delivery reports.</summary>
    public static List<DeliveryResult<string?, string>> Produce(KafkaTestCluster cluster, string topic, IEnumerable<(string? Key, string Value)> messages, int? partition = null, Headers? headers = null)
    {
        var reports = new List<DeliveryResult<string?, string>>();
        using var producer = new ProducerBuilder<string?, string>(cluster.ProducerConfig()).Build();
        foreach ((string? key, string value) in messages)
        {
            var message = new Message<string?, string> { Key = key, Value = value, Headers = headers };
            var target = partition is { } p ? new TopicPartition(topic, p) : new TopicPartition(topic, Partition.Any);
            producer.Produce(target, message, r =>
            {
                lock (reports)
                {
                    reports.Add(r);
                }
            });
        }

        producer.Flush(Guard);
        Assert.That(reports.Select(r => r.Status), Is.All.EqualTo(PersistenceStatus.Persisted), "test data delivered");
        return reports;
    }

    public static List<DeliveryResult<string?, string>> Produce(KafkaTestCluster cluster, string topic, IEnumerable<string> values, int? partition = null) =>
        Produce(cluster, topic, values.Select(v => ((string?)null, v)), partition);

    /// <summary>Reads every message of a topic from the beginning (all partitions) with a plain consumer.</summary>
    public static List<ConsumeResult<string?, string>> ReadAll(KafkaTestCluster cluster, string topic, int partitions, int expected)
    {
        using var consumer = new ConsumerBuilder<string?, string>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("check"))).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer.ConsumeExactly(expected, Guard);
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}

/// <summary>Reading helpers over <see cref="InputStream"/>.</summary>
internal static class InputStreamExtensions
{
    /// <summary>Reads batches until end of stream or until <paramref name="count"/> records were read; acknowledges each batch when <paramref name="acknowledge"/>.</summary>
    public static async Task<List<(string Value, KafkaMessageMetadata Metadata)>> ReadRecordsAsync(this InputStream input, int count = int.MaxValue, bool acknowledge = false)
    {
        var records = new List<(string, KafkaMessageMetadata)>();
        while (records.Count < count && await input.ReadBatchAsync().AsTask().WaitAsync(KafkaStreams.Guard) is { } batch)
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    records.Add((System.Text.Encoding.UTF8.GetString(batch.GetSpan(i)), (KafkaMessageMetadata)batch.GetMetadata(i)!));
                }

                if (acknowledge)
                {
                    await input.AcknowledgeAsync(batch);
                }
            }
        }

        return records;
    }
}
