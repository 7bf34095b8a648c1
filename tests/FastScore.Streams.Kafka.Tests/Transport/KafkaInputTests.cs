using System.Text;
using Confluent.Kafka;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Kafka.Tests.Transport;

[Category("Integration")]
public sealed class KafkaInputTests
{
    [Test]
    public async Task One_partition_is_read_from_the_earliest_record_with_key_headers_and_position_then_ends_after_MaxWaitTime()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-assign", partitions: 2);
        var headers = new Headers { { "trace", Encoding.UTF8.GetBytes("t-1") } };
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 50).Select(i => ((string?)$"k{i}", $"p0-{i}")), partition: 0, headers: headers);
        KafkaStreams.Produce(cluster, topic, ["other partition"], partition: 1);
        var rejected = new List<RejectedRecord>();

        await using InputStream input = KafkaStreams.RawFactory().CreateInput(
            KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, partition: 0)), new StreamOpenOptions { OnRejected = rejected.Add });
        var records = new List<(string Value, KafkaMessageMetadata Metadata)>();
        while (await input.ReadBatchAsync().AsTask().WaitAsync(KafkaStreams.Guard) is { } batch)
        {
            using (batch)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    records.Add((Encoding.UTF8.GetString(batch.GetSpan(i)), (KafkaMessageMetadata)batch.GetMetadata(i)!));
                }
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Value), Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"p0-{i}")));
            Assert.That(records.Select(r => r.Metadata.KeyAsString()), Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"k{i}")));
            Assert.That(records.Select(r => r.Metadata.Position), Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"{topic}/0@{i}")));
            Assert.That(records.Select(r => r.Metadata.HeaderAsString("trace")), Is.All.EqualTo("t-1"));
            Assert.That(records.Select(r => r.Metadata.Timestamp), Is.All.Not.Null);
            Assert.That(records[7].Metadata.Token, Is.EqualTo(new TopicPartitionOffset(topic, 0, 7)));
            Assert.That(input.IsEndOfStream, Is.True);
            Assert.That(input.Counters.Records, Is.EqualTo(50));
            Assert.That(rejected, Is.Empty);
        });
    }
}
