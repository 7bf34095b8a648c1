using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using FastScore.Samples.Iris;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>Issue 17 point 1: a Kafka topic as a dead-letter queue receives one reject document per rejected record, with the reason in headers.</summary>
[Category("Integration")]
public sealed class RejectsTopicTests
{
    [Test]
    public async Task Rejected_records_land_once_in_the_dead_letter_topic_with_their_topic_partition_offset_and_the_reason_in_headers()
    {
        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("dlq-in", partitions: 1);
        string output = cluster.CreateUniqueTopic("dlq-out", partitions: 1);
        string dlq = cluster.CreateUniqueTopic("dlq", partitions: 1);
        IReadOnlyList<string> good = EngineHarness.GuideInputLines;
        KafkaStreams.Produce(cluster, input,
        [
            good[0],
            "{not json",                                                                                  // offset 1: encoding
            good[1],
            """{"sepal_length": "wide", "sepal_width": 3.1, "petal_length": 1.5, "petal_width": 0.2}""", // offset 3: schema
        ], partition: 0);

        await using ScoringEngine engine = EngineHarness.Engine(new EngineOptions { Rejects = EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, dlq)) });
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, input, KafkaTestCluster.UniqueName("dlq"))));
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, output)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);

        List<ConsumeResult<string?, string>> rejects = KafkaStreams.ReadAll(cluster, dlq, partitions: 1, expected: 2);
        JsonElement[] docs = [.. rejects.Select(r => JsonDocument.Parse(r.Message.Value).RootElement)];
        string Header(int i, string name) => Encoding.UTF8.GetString(rejects[i].Message.Headers.GetLastBytes(name));
        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(rejects, Has.Count.EqualTo(2));
            Assert.That(docs.Select(d => d.GetProperty("kind").GetString()), Is.EqualTo(new[] { "encoding", "schema" }));
            Assert.That(docs.Select(d => d.GetProperty("position").GetProperty("topic").GetString()), Is.EqualTo(new[] { input, input }));
            Assert.That(docs.Select(d => d.GetProperty("position").GetProperty("partition").GetInt32()), Is.EqualTo(new[] { 0, 0 }));
            Assert.That(docs.Select(d => d.GetProperty("position").GetProperty("offset").GetInt64()), Is.EqualTo(new[] { 1L, 3L }));
            Assert.That(docs.Select(d => d.GetProperty("position").GetProperty("text").GetString()), Is.EqualTo(new[] { $"{input}/0@1", $"{input}/0@3" }));
            Assert.That(docs[0].GetProperty("record").GetString(), Is.EqualTo("{not json"));
            Assert.That(docs[1].GetProperty("reason").GetString(), Does.Contain("sepal_length"));
            Assert.That(Header(0, "fastscore-reject-kind"), Is.EqualTo("encoding"));
            Assert.That(Header(1, "fastscore-reject-kind"), Is.EqualTo("schema"));
            Assert.That(Header(1, "fastscore-reject-reason"), Is.EqualTo(docs[1].GetProperty("reason").GetString()));
            Assert.That(Header(1, "fastscore-reject-position"), Is.EqualTo($"{input}/0@3"));
            Assert.That(Header(1, "fastscore-reject-slot"), Is.EqualTo("0"));
            Assert.That(Header(1, "fastscore-reject-record-number"), Is.EqualTo("4"));
        });
    }
}
