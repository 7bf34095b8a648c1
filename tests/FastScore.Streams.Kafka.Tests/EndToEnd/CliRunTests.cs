using System.Text.Json;
using Confluent.Kafka;
using FastScore.Cli;
using FastScore.Samples.Iris;
using FastScore.Streams.Kafka.Tests.Infrastructure;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary><c>fastscore run iris file:… kafka:host:port/topic.json</c> and back: the CLI ships the Kafka transport.</summary>
[Category("Integration")]
public sealed class CliRunTests
{
    [Test]
    public async Task Fastscore_run_scores_a_file_into_a_kafka_topic_literal_and_a_second_run_reads_it_back()
    {
        KafkaTestCluster cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("cli-iris", 1);
        string inputs = Path.Combine(AppContext.BaseDirectory, "data", "xgboost_iris_inputs.jsons");
        string copy = Path.Combine(Path.GetTempPath(), $"cli-kafka-{Guid.NewGuid():N}.jsons");
        var stderr = new StringWriter();
        int exit = await CliApp.RunAsync(["run", "iris", "file:" + inputs, $"kafka:{cluster.BootstrapServers}/{topic}.json"],
            new CliIo(new StringWriter(), stderr, Stream.Null, Stream.Null, false), CancellationToken.None);

        using IConsumer<Ignore, string> consumer = new ConsumerBuilder<Ignore, string>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("cli"))).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var messages = consumer.ConsumeExactly(25, TimeSpan.FromSeconds(30));
        consumer.Close();
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), stderr.ToString());
            Assert.That(messages, Has.Count.EqualTo(25));
            Assert.That(JsonSerializer.Deserialize<IrisOutput>(messages[0].Message.Value)!.PredictedSpecies, Is.EqualTo("virginica"));
        });

        // Read the topic back through the CLI: a Kafka input descriptor that ends after 2 s without records.
        string descriptor = Path.Combine(Path.GetTempPath(), $"cli-kafka-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(descriptor, $$"""
            {"Transport": {"Type": "kafka", "BootstrapServers": ["{{cluster.BootstrapServers}}"], "Topic": "{{topic}}", "MaxWaitTime": 2000},
             "SkipToRecord": "earliest", "Encoding": "json"}
            """);
        var stderr2 = new StringWriter();
        int exit2 = await CliApp.RunAsync(["run", "echo", descriptor, "file:" + copy], new CliIo(new StringWriter(), stderr2, Stream.Null, Stream.Null, false), CancellationToken.None);
        try
        {
            Assert.Multiple(() =>
            {
                Assert.That(exit2, Is.EqualTo(0), stderr2.ToString());
                Assert.That(File.ReadAllLines(copy), Is.EqualTo(messages.Select(m => m.Message.Value)));
            });
        }
        finally
        {
            File.Delete(descriptor);
            File.Delete(copy);
        }
    }
}
