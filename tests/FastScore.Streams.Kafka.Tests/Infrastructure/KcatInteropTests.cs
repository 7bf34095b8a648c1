using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace FastScore.Streams.Kafka.Tests.Infrastructure;

/// <summary>Another librdkafka build in another process (Debian's kcat) against the same cluster.</summary>
[Category("Integration")]
public sealed class KcatInteropTests
{
    private const int Count = 500;
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Messages_produced_by_kcat_are_consumed_by_the_dotnet_consumer()
    {
        Kcat.Executable();
        var cluster = KafkaTestCluster.Shared;
        var topic = cluster.CreateUniqueTopic("kcat-in", partitions: 3);
        var sent = Enumerable.Range(0, Count).Select(i => (Key: $"k{i % 5}", Value: $$"""{"id":{{i}},"tag":"kcat"}""")).ToList();
        var input = new StringBuilder();
        foreach (var (key, value) in sent)
        {
            input.Append(key).Append('\t').Append(value).Append('\n');
        }

        await Kcat.RunAsync(["-P", "-b", cluster.BootstrapServers, "-t", topic, "-K", "\t"], input.ToString());

        using var consumer = new ConsumerBuilder<string, string>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("kcat-in"))).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var received = consumer.ConsumeExactly(Count, s_guard);

        Assert.Multiple(() =>
        {
            Assert.That(received, Has.Count.EqualTo(Count));
            foreach (var key in sent.GroupBy(m => m.Key))
            {
                var got = received.Where(r => r.Message.Key == key.Key).ToList();
                Assert.That(got.Select(r => r.Message.Value), Is.EqualTo(key.Select(m => m.Value)), $"key {key.Key}: same values, same order");
                Assert.That(got.Select(r => r.Partition.Value).Distinct().Count(), Is.EqualTo(1), $"key {key.Key}: one partition");
            }
        });
    }

    [Test]
    public async Task Messages_produced_by_dotnet_are_consumed_by_kcat()
    {
        Kcat.Executable();
        var cluster = KafkaTestCluster.Shared;
        var topic = cluster.CreateUniqueTopic("kcat-out", partitions: 3);
        var delivered = new List<DeliveryReport<string, string>>(Count);
        using (var producer = new ProducerBuilder<string, string>(cluster.ProducerConfig()).Build())
        {
            for (int i = 0; i < Count; i++)
            {
                var message = new Message<string, string> { Key = $"k{i % 5}", Value = $$"""{"id":{{i}},"tag":"dotnet"}""" };
                producer.Produce(topic, message, report =>
                {
                    lock (delivered)
                    {
                        delivered.Add(report);
                    }
                });
            }

            producer.Flush(s_guard);
        }

        var output = await Kcat.RunAsync(["-C", "-b", cluster.BootstrapServers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p\t%o\t%k\t%s\n"]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => (Partition: int.Parse(f[0], CultureInfo.InvariantCulture), Offset: long.Parse(f[1], CultureInfo.InvariantCulture), Key: f[2], Value: f[3]))
            .OrderBy(m => m.Partition).ThenBy(m => m.Offset)
            .ToList();
        Assert.That(delivered.Select(d => d.Status), Is.All.EqualTo(PersistenceStatus.Persisted));
        var expected = delivered
            .Select(d => (Partition: d.Partition.Value, Offset: d.Offset.Value, Key: d.Message.Key, Value: d.Message.Value))
            .OrderBy(m => m.Partition).ThenBy(m => m.Offset)
            .ToList();

        Assert.That(lines, Is.EqualTo(expected));
    }
}
