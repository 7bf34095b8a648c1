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

    [Test]
    public async Task A_numeric_SkipToRecord_starts_one_partition_at_that_offset()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-offset", partitions: 1);
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 40).Select(i => $"r{i}"));

        await using InputStream input = KafkaStreams.RawFactory().CreateInput(
            KafkaStreams.Input(KafkaStreams.Transport(cluster, topic), RecordPosition.At(30)));
        var records = await input.ReadRecordsAsync();

        Assert.That(records.Select(r => r.Value), Is.EqualTo(Enumerable.Range(30, 10).Select(i => $"r{i}")));
    }

    [Test]
    public async Task SkipToRecord_latest_skips_what_the_partition_already_holds()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-latest", partitions: 1);
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 20).Select(i => $"before-{i}"));

        await using InputStream input = KafkaStreams.RawFactory().CreateInput(
            KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, maxWaitTime: null), RecordPosition.Latest));
        Task<RecordBatch?> first = input.ReadBatchAsync().AsTask();
        int sent = 0;
        while (!first.IsCompleted && sent < 200)
        {
            // the consumer resolves "latest" asynchronously: keep producing until it sees something
            KafkaStreams.Produce(cluster, topic, [$"after-{sent++}"]);
            await Task.WhenAny(first, Task.Delay(100));
        }

        using RecordBatch? batch = await first.WaitAsync(KafkaStreams.Guard);
        Assert.That(batch, Is.Not.Null);
        var values = Enumerable.Range(0, batch!.Count).Select(i => Encoding.UTF8.GetString(batch.GetSpan(i))).ToList();
        Assert.That(values, Is.Not.Empty.And.All.StartsWith("after-"));
    }

    [Test]
    public async Task A_group_reads_every_partition_and_commits_only_acknowledged_offsets()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-group", partitions: 3);
        string group = KafkaTestCluster.UniqueName("g");
        var first = KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 300).Select(i => ((string?)$"k{i % 10}", $"a{i}")));
        StreamFactory factory = KafkaStreams.RawFactory();

        // 1. read everything and acknowledge it: the next member of the group starts after it
        List<(string Value, KafkaMessageMetadata Metadata)> pass1;
        await using (InputStream input = factory.CreateInput(KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, group))))
        {
            pass1 = await input.ReadRecordsAsync(acknowledge: true);
        }

        var committed = Committed(cluster, topic, 3, group);
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 30).Select(i => ((string?)$"k{i % 10}", $"b{i}")));

        // 2. read without acknowledging: nothing is committed, so the next member reads the same records again
        List<(string Value, KafkaMessageMetadata Metadata)> pass2, pass3;
        await using (InputStream input = factory.CreateInput(KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, group))))
        {
            pass2 = await input.ReadRecordsAsync(acknowledge: false);
        }

        await using (InputStream input = factory.CreateInput(KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, group))))
        {
            pass3 = await input.ReadRecordsAsync(acknowledge: true);
        }

        Assert.Multiple(() =>
        {
            Assert.That(pass1.Select(r => r.Value).Order(), Is.EqualTo(first.Select(r => r.Message.Value).Order()));
            Assert.That(pass1.Select(r => r.Metadata.Partition).Distinct().Order(), Is.EqualTo(new[] { 0, 1, 2 }));
            Assert.That(committed, Is.EqualTo(first.GroupBy(r => r.Partition.Value).ToDictionary(g => g.Key, g => g.Max(r => r.Offset.Value) + 1)));
            Assert.That(pass2.Select(r => r.Value).Order(), Is.EqualTo(Enumerable.Range(0, 30).Select(i => $"b{i}").Order()));
            Assert.That(pass3.Select(r => r.Value).Order(), Is.EqualTo(pass2.Select(r => r.Value).Order()));
        });
    }

    [Test]
    public async Task A_numeric_SkipToRecord_applies_to_a_group_only_where_it_has_no_committed_offset()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-group-offset", partitions: 2);
        string group = KafkaTestCluster.UniqueName("g");
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 10).Select(i => $"p0-{i}"), partition: 0);
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 10).Select(i => $"p1-{i}"), partition: 1);
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.ConsumerConfig(group)).Build())
        {
            consumer.Commit([new TopicPartitionOffset(topic, 1, 2)]);
        }

        await using InputStream input = KafkaStreams.RawFactory().CreateInput(
            KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, group), RecordPosition.At(7)));
        var records = await input.ReadRecordsAsync();

        Assert.That(records.Select(r => r.Value).Order(),
            Is.EqualTo(Enumerable.Range(7, 3).Select(i => $"p0-{i}").Concat(Enumerable.Range(2, 8).Select(i => $"p1-{i}")).Order()));
    }

    [Test]
    public async Task With_CommitOffset_false_a_group_commits_nothing()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-nocommit", partitions: 1);
        string group = KafkaTestCluster.UniqueName("g");
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 10).Select(i => $"r{i}"));

        await using (InputStream input = KafkaStreams.RawFactory().CreateInput(
            KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, group) with { CommitOffset = false })))
        {
            Assert.That(await input.ReadRecordsAsync(acknowledge: true), Has.Count.EqualTo(10));
        }

        Assert.That(Committed(cluster, topic, 1, group), Is.Empty);
    }

    [Test]
    public async Task A_looping_partition_is_read_again_from_the_earliest_record()
    {
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("in-loop", partitions: 1);
        KafkaStreams.Produce(cluster, topic, Enumerable.Range(0, 5).Select(i => $"r{i}"));
        StreamDescriptor descriptor = KafkaStreams.Input(KafkaStreams.Transport(cluster, topic, maxWaitTime: 1000)) with { Loop = true };

        await using InputStream input = KafkaStreams.RawFactory().CreateInput(descriptor);
        var records = await input.ReadRecordsAsync(count: 15);

        Assert.That(records.Take(15).Select(r => r.Value), Is.EqualTo(Enumerable.Repeat(Enumerable.Range(0, 5).Select(i => $"r{i}"), 3).SelectMany(x => x)));
    }

    [Test]
    public void A_setting_librdkafka_rejects_fails_the_stream_at_open_with_a_DescriptorException_naming_it()
    {
        var cluster = KafkaTestCluster.Shared;
        var transport = KafkaStreams.Transport(cluster, "unused");
        transport = transport with { Config = new Dictionary<string, string>(transport.Config) { ["no.such.property"] = "1" } };

        var error = Assert.ThrowsAsync<DescriptorException>(async () =>
        {
            await using InputStream input = KafkaStreams.RawFactory().CreateInput(KafkaStreams.Input(transport));
            await input.ReadBatchAsync();
        });

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("no.such.property"));
            Assert.That(error.Errors.Single().Path, Is.EqualTo("Transport.Config"));
            Assert.That(error.IsTransient, Is.False);
        });
    }

    internal static Dictionary<int, long> Committed(KafkaTestCluster cluster, string topic, int partitions, string group)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(cluster.ConsumerConfig(group)).Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), KafkaStreams.Guard)
            .Where(c => c.Offset.Value >= 0)
            .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);
    }
}
