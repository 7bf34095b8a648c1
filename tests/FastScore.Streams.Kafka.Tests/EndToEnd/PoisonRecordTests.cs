using FastScore.Samples.Iris;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>
/// Issue 12, point 1: a Kafka consumer group failed at a poison record (a key with a lone surrogate escape) on every
/// restart. The record is now rejected with its topic/partition@offset, the group consumes past it and commits past it,
/// and a restart in the same group does not meet it again.
/// </summary>
[Category("Integration")]
public sealed class PoisonRecordTests
{
    [Test]
    public async Task A_consumer_group_consumes_past_a_poison_record_commits_past_it_and_never_meets_it_again()
    {
        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("poison-in", partitions: 1);
        string output = cluster.CreateUniqueTopic("poison-out", partitions: 1);
        string group = KafkaTestCluster.UniqueName("poison");
        IReadOnlyList<string> guide = EngineHarness.GuideInputLines;
        List<string> good = [.. Enumerable.Range(0, 1000).Select(i => guide[i % guide.Count])];
        const string Poison = """{"sepal_length":6.9,"\ud800":1}""";
        KafkaStreams.Produce(cluster, input, [.. good.Take(500), Poison, .. good.Skip(500)], partition: 0);

        EngineInspection first = await RunAsync(cluster, input, output, group);
        List<string> scored = KafkaStreams.ReadAll(cluster, output, partitions: 1, expected: 1000).Select(r => r.Message.Value).ToList();
        Dictionary<int, long> committed = KafkaInputTests.Committed(cluster, input, 1, group);
        EngineInspection restart = await RunAsync(cluster, input, output, group);

        Assert.Multiple(() =>
        {
            Assert.That(first.State, Is.EqualTo(EngineState.Finished), first.Error);
            Assert.That(scored.Select(EngineHarness.ParseOutput), Is.EqualTo(good.Select(EngineHarness.Expected)), "the 1000 good records, in order");
            Assert.That(first.Rejections.Select(r => (r.Slot, r.RecordNumber, r.Position, r.Kind)), Is.EqualTo(new[] { (0, 501L, (string?)$"{input}/0@500", RejectionKind.Encoding) }));
            Assert.That(first.Rejections.Single().Reason, Does.Contain("unpaired surrogate"));
            Assert.That(committed, Is.EqualTo(new Dictionary<int, long> { [0] = 1001 }), "committed past the poison record");
            Assert.That(restart.State, Is.EqualTo(EngineState.Finished), restart.Error);
            Assert.That((restart.Slots.Single(s => s.Slot == 0).Records, restart.Rejections.Count), Is.EqualTo((0L, 0)), "a restart in the group does not meet the poison record again");
        });
    }

    private static async Task<EngineInspection> RunAsync(KafkaTestCluster cluster, string input, string output, string group)
    {
        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, input, group)));
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, output)));
        await engine.Completion.WaitAsync(KafkaStreams.Guard);
        return engine.Inspect();
    }
}
