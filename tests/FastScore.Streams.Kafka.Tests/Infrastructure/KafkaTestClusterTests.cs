using System.Text.Json;
using Confluent.Kafka;
using KafkaMockHost;

namespace FastScore.Streams.Kafka.Tests.Infrastructure;

[Category("Integration")]
public sealed class KafkaTestClusterTests
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [Test]
    public void A_thousand_json_messages_come_back_through_a_consumer_group_in_partition_order()
    {
        var cluster = KafkaTestCluster.Shared;
        var topic = cluster.CreateUniqueTopic("smoke-json", partitions: 3);
        const int Count = 1000;

        var delivered = new List<DeliveryReport<string, string>>(Count);
        using (var producer = new ProducerBuilder<string, string>(cluster.ProducerConfig()).Build())
        {
            for (int i = 0; i < Count; i++)
            {
                var value = JsonSerializer.Serialize(new Reading(i, $"sensor-{i % 7}", i * 0.5));
                producer.Produce(topic, new Message<string, string> { Key = $"sensor-{i % 7}", Value = value }, report =>
                {
                    lock (delivered)
                    {
                        delivered.Add(report);
                    }
                });
            }

            producer.Flush(s_guard);
        }

        using var consumer = new ConsumerBuilder<string, string>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("smoke-group"))).Build();
        consumer.Subscribe(topic);
        var consumed = consumer.ConsumeExactly(Count, s_guard);
        consumer.Close();

        var readings = consumed.Select(r => JsonSerializer.Deserialize<Reading>(r.Message.Value)!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(delivered.Select(d => d.Status), Is.All.EqualTo(PersistenceStatus.Persisted));
            Assert.That(consumed, Has.Count.EqualTo(Count));
            Assert.That(readings.Select(r => r.Id).Order(), Is.EqualTo(Enumerable.Range(0, Count)));
            Assert.That(consumed.Select(r => r.Partition.Value).Distinct().Count(), Is.EqualTo(3), "7 keys spread over all 3 partitions");
            foreach (var partition in delivered.GroupBy(d => d.Partition.Value))
            {
                var expected = partition.OrderBy(d => d.Offset.Value).Select(d => (d.Offset.Value, d.Message.Value));
                var actual = consumed.Where(r => r.Partition.Value == partition.Key).Select(r => (r.Offset.Value, r.Message.Value));
                Assert.That(actual, Is.EqualTo(expected), $"partition {partition.Key} in offset order");
            }

            foreach (var key in readings.GroupBy(r => r.Sensor))
            {
                Assert.That(key.Select(r => r.Id), Is.Ordered, $"{key.Key} in produce order");
            }
        });
    }

    [Test]
    public void A_broker_taken_down_fails_deliveries_until_it_is_brought_back_up()
    {
        using var cluster = KafkaTestCluster.StartMock();
        var topic = cluster.CreateUniqueTopic("fault", partitions: 1);
        var config = cluster.ProducerConfig();
        config.MessageTimeoutMs = 1500;
        config.ReconnectBackoffMaxMs = 200;
        using var producer = new ProducerBuilder<Null, string>(config)
            .SetLogHandler((_, _) => { }) // the expected "brokers are down" noise
            .SetErrorHandler((_, _) => { })
            .Build();
        var before = producer.ProduceAsync(topic, new Message<Null, string> { Value = "before" }).GetAwaiter().GetResult();

        cluster.BrokerDown(1);
        var whileDown = Assert.CatchAsync<ProduceException<Null, string>>(() => producer.ProduceAsync(topic, new Message<Null, string> { Value = "while down" }));
        cluster.BrokerUp(1);
        // A producer with the default message timeout: reconnecting may take longer than 1.5 s on a loaded machine.
        using var afterProducer = new ProducerBuilder<Null, string>(cluster.ProducerConfig()).Build();
        var after = afterProducer.ProduceAsync(topic, new Message<Null, string> { Value = "after" }).GetAwaiter().GetResult();

        using var consumer = new ConsumerBuilder<Ignore, string>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("fault"))).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var values = consumer.ConsumeExactly(2, s_guard).Select(r => r.Message.Value);
        Assert.Multiple(() =>
        {
            Assert.That(before.Status, Is.EqualTo(PersistenceStatus.Persisted));
            Assert.That(whileDown!.Error.Code, Is.EqualTo(ErrorCode.Local_MsgTimedOut));
            Assert.That(after.Status, Is.EqualTo(PersistenceStatus.Persisted));
            Assert.That(values, Is.EqualTo(new[] { "before", "after" }));
        });
    }

    [Test]
    public void A_restarted_mock_is_a_new_empty_cluster()
    {
        using var cluster = KafkaTestCluster.StartMock();
        var topic = cluster.CreateUniqueTopic("restart", partitions: 2);
        var topicsBefore = TopicNames(cluster.BootstrapServers);

        cluster.Kill();
        var runningAfterKill = cluster.IsRunning;
        var commandAfterKill = Assert.Throws<InvalidOperationException>(() => cluster.BrokerDown(1));
        cluster.Restart();
        var topicsAfter = TopicNames(cluster.BootstrapServers);

        Assert.Multiple(() =>
        {
            Assert.That(topicsBefore, Does.Contain(topic));
            Assert.That(runningAfterKill, Is.False);
            Assert.That(commandAfterKill!.Message, Does.Contain("Restart()"));
            Assert.That(cluster.IsRunning, Is.True);
            Assert.That(topicsAfter, Does.Not.Contain(topic));
        });
    }

    [Test]
    public void Mock_host_commands_report_errors_for_unknown_brokers()
    {
        using var cluster = KafkaTestCluster.StartMock(brokers: 3);
        var error = Assert.Throws<InvalidOperationException>(() => cluster.BrokerDown(9));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("error"));
            Assert.That(cluster.BootstrapServers.Split(','), Has.Length.EqualTo(3));
            Assert.DoesNotThrow(() => cluster.BrokerDown(3));
            Assert.DoesNotThrow(() => cluster.BrokerUp(3));
        });
    }

    [Test]
    public void An_in_process_mock_cluster_creates_topics_with_the_exact_partition_count()
    {
        using var cluster = new KafkaMockCluster(brokers: 1);
        cluster.CreateTopic("seven", partitions: 7);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));

        Assert.That(metadata.Topics.Single(t => t.Topic == "seven").Partitions, Has.Count.EqualTo(7));
    }

    private static List<string> TopicNames(string bootstrapServers)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
    }

    private sealed record Reading(int Id, string Sensor, double Value);
}
