using System.Globalization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>
/// At-least-once under faults: Kafka → engine → Kafka, and afterwards every input record has an output (duplicates are
/// counted and allowed, loss is not).
/// </summary>
[Category("Integration")]
public sealed class KafkaFaultTests
{
    [Test]
    public async Task A_broker_outage_mid_stream_loses_no_record()
    {
        using var cluster = KafkaTestCluster.StartMock();
        string input = cluster.CreateUniqueTopic("fault-in", partitions: 4);
        string output = cluster.CreateUniqueTopic("fault-out", partitions: 1);
        List<string> records = Records(6000);
        KafkaStreams.Produce(cluster, input, records.Select(r => ((string?)r, r)));
        var model = new EchoModel { BlockAt = 2000 };

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(model);
        engine.Attach(0, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, input, KafkaTestCluster.UniqueName("g"), maxWaitTime: 8000)));
        engine.Attach(1, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, output)));
        await model.Blocked.WaitAsync(KafkaStreams.Guard);
        cluster.BrokerDown(1);
        model.Release();
        await Task.Delay(1500); // the engine scores what it holds; its flush and commits wait for the broker
        bool finishedWhileDown = engine.Completion.IsCompleted;
        cluster.BrokerUp(1);
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(finishedWhileDown, Is.False);
        });
        AssertNoLoss(records, ReadAllValues(cluster, output));
    }

    [Test]
    public async Task An_engine_disposed_mid_stream_and_restarted_in_the_same_group_loses_no_record()
    {
        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("restart-in", partitions: 3);
        string output = cluster.CreateUniqueTopic("restart-out", partitions: 1);
        string group = KafkaTestCluster.UniqueName("g");
        List<string> records = Records(5000);
        KafkaStreams.Produce(cluster, input, records.Select(r => ((string?)r, r)));

        var first = new EchoModel { BlockAt = 1500 };
        await using (ScoringEngine engine = EngineHarness.Engine())
        {
            engine.LoadModel(first);
            engine.Attach(0, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, input, group)));
            engine.Attach(1, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, output)));
            await first.Blocked.WaitAsync(KafkaStreams.Guard);
            // disposed while a record is in the model: what was not acknowledged is not committed
        }

        long committedAfterCrash = KafkaInputTests.Committed(cluster, input, 3, group).Values.Sum();
        var second = new EchoModel();
        await using (ScoringEngine engine = EngineHarness.Engine())
        {
            engine.LoadModel(second);
            engine.Attach(0, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, input, group)));
            engine.Attach(1, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, output)));
            Assert.That(await engine.Completion.WaitAsync(KafkaStreams.Guard), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        }

        Assert.Multiple(() =>
        {
            Assert.That(committedAfterCrash, Is.LessThan(1500), "nothing past the record held by the model was committed");
            Assert.That(second.Seen, Is.EqualTo(records.Count - committedAfterCrash), "the second engine resumes at the committed offsets");
            Assert.That(KafkaInputTests.Committed(cluster, input, 3, group).Values.Sum(), Is.EqualTo(records.Count));
        });
        AssertNoLoss(records, ReadAllValues(cluster, output));
    }

    [Test]
    public async Task Two_engines_in_one_group_split_the_partitions_and_the_survivor_takes_over_without_loss()
    {
        using var cluster = KafkaTestCluster.StartMock();
        string input = cluster.CreateUniqueTopic("group-in", partitions: 4);
        string output = cluster.CreateUniqueTopic("group-out", partitions: 1);
        string group = KafkaTestCluster.UniqueName("g");
        List<string> records = Records(3000);
        KafkaStreams.Produce(cluster, input, records.Select(r => ((string?)r, r)));
        var a = new EchoModel { DelayPerRecord = TimeSpan.FromMilliseconds(1) };
        var b = new EchoModel { DelayPerRecord = TimeSpan.FromMilliseconds(1) };
        var logsA = new TestLoggerFactory("A ");
        var logsB = new TestLoggerFactory("B ");
        using var dump = new LogDump(logsA, logsB);
        // small batches and buffers: a stopping engine first scores what it has read, so keep that short
        await using ScoringEngine engineA = EngineHarness.Engine(loggerFactory: logsA, batchRecords: 50);
        await using ScoringEngine engineB = EngineHarness.Engine(loggerFactory: logsB, batchRecords: 50);

        // A joins first and owns all four partitions; B's arrival makes the group split them. (Members joining an empty
        // group at the same instant are not both admitted to its first generation by librdkafka's mock broker.)
        Start(engineA, a);
        await EngineHarness.WaitForOutputsAsync(engineA, 100);
        Start(engineB, b);
        await EngineHarness.WaitForOutputsAsync(engineB, 100);
        IReadOnlyCollection<int> partitionsOfB = b.Partitions;
        EngineState stoppedA = await engineA.StopAsync().WaitAsync(KafkaStreams.Guard);
        IReadOnlyCollection<int> partitionsOfA = a.Partitions;
        long seenByB = b.Seen;
        for (int p = 0; p < 4; p++)
        {
            // records A would have read: now only B can score them
            List<string> late = Enumerable.Range(0, 25).Select(i => string.Create(CultureInfo.InvariantCulture, $"late-{p}-{i}")).ToList();
            KafkaStreams.Produce(cluster, input, late, partition: p);
            records.AddRange(late);
        }

        EngineState finalB = await engineB.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Multiple(() =>
        {
            Assert.That(stoppedA, Is.EqualTo(EngineState.Finished), engineA.Inspect().Error);
            Assert.That(finalB, Is.EqualTo(EngineState.Finished), engineB.Inspect().Error);
            Assert.That(partitionsOfB.Count, Is.InRange(1, 3), "the group split the partitions between A and B");
            Assert.That(partitionsOfA.Except(partitionsOfB), Is.Not.Empty, "A scored partitions B did not have at first");
            Assert.That(b.Partitions.Order(), Is.EqualTo(new[] { 0, 1, 2, 3 }), "the survivor took over the stopped engine's partitions");
            Assert.That(b.Seen, Is.GreaterThan(seenByB));
        });
        AssertNoLoss(records, ReadAllValues(cluster, output));

        void Start(ScoringEngine engine, EchoModel model)
        {
            engine.LoadModel(model);
            engine.Attach(0, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, input, group, maxWaitTime: 8000)));
            engine.Attach(1, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, output)));
        }
    }

    private static List<string> Records(int count) =>
        Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"r{i:D6}")).ToList();

    private static List<string> ReadAllValues(KafkaTestCluster cluster, string topic)
    {
        // read to the end: the high watermark says how many messages the topic holds
        using var consumer = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, string>(cluster.ConsumerConfig(KafkaTestCluster.UniqueName("check"))).Build();
        long count = consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, 0), KafkaStreams.Guard).High.Value;
        consumer.Assign(new Confluent.Kafka.TopicPartitionOffset(topic, 0, Confluent.Kafka.Offset.Beginning));
        return consumer.ConsumeExactly((int)count, KafkaStreams.Guard).Select(r => r.Message.Value).ToList();
    }

    private static void AssertNoLoss(List<string> inputs, List<string> outputs)
    {
        var distinct = outputs.ToHashSet();
        int duplicates = outputs.Count - distinct.Count;
        TestContext.Out.WriteLine($"{inputs.Count} inputs, {outputs.Count} outputs, {duplicates} duplicates");
        Assert.Multiple(() =>
        {
            Assert.That(inputs.Where(i => !distinct.Contains(i)), Is.Empty, "inputs without an output (lost)");
            Assert.That(distinct.Where(o => !inputs.Contains(o)), Is.Empty, "outputs that are no input");
        });
    }

    /// <summary>Prints the engines' logs when the test fails.</summary>
    private sealed class LogDump(params TestLoggerFactory[] factories) : IDisposable
    {
        public void Dispose()
        {
            if (TestContext.CurrentContext.Result.Outcome.Status != NUnit.Framework.Interfaces.TestStatus.Passed)
            {
                foreach (string line in factories.SelectMany(f => f.Lines).Order(StringComparer.Ordinal))
                {
                    TestContext.Out.WriteLine(line);
                }
            }
        }
    }
}
