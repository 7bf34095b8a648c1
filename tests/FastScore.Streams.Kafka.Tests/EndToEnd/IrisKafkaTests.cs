using FastScore.Samples.Iris;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>The guide's flow: iris records → the iris model → a Kafka topic, read back by kcat in another process.</summary>
[Category("Integration")]
public sealed class IrisKafkaTests
{
    [Test]
    public async Task A_file_of_iris_records_is_scored_into_a_topic_that_kcat_reads_back_exactly()
    {
        Kcat.Executable();
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("iris-out", partitions: 1);
        IReadOnlyList<string> inputs = EngineHarness.GuideInputLines;
        string file = EngineHarness.TempFile("iris.jsons", inputs);

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.JsonFile(file));
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, topic)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);
        List<string> lines = await EngineHarness.KcatValuesAsync(cluster, topic);

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(lines.Select(EngineHarness.ParseOutput), Is.EqualTo(inputs.Select(EngineHarness.Expected)));
            Assert.That(lines.Select(l => EngineHarness.ParseOutput(l).PredictedSpecies).Distinct().Order(),
                Is.EqualTo(new[] { "setosa", "versicolor", "virginica" }));
        });
    }

    [Test]
    public async Task A_looping_file_keeps_scoring_into_the_topic_until_the_engine_is_stopped()
    {
        Kcat.Executable();
        var cluster = KafkaTestCluster.Shared;
        string topic = cluster.CreateUniqueTopic("iris-loop", partitions: 1);
        IReadOnlyList<string> inputs = EngineHarness.GuideInputLines;
        string file = EngineHarness.TempFile("iris.jsons", inputs);

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.JsonFile(file, loop: true));
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, topic)));
        await EngineHarness.WaitForOutputsAsync(engine, inputs.Count * 10);
        EngineState final = await engine.StopAsync().WaitAsync(KafkaStreams.Guard);
        long written = EngineHarness.OutputCount(engine);
        List<string> lines = await EngineHarness.KcatValuesAsync(cluster, topic);

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(lines, Has.Count.EqualTo(written));
            Assert.That(written, Is.GreaterThanOrEqualTo(inputs.Count * 10));
            Assert.That(lines.Select(EngineHarness.ParseOutput), Is.EqualTo(Enumerable.Range(0, lines.Count).Select(i => EngineHarness.Expected(inputs[i % inputs.Count]))));
        });
    }

    [Test]
    public async Task Records_produced_by_kcat_are_scored_from_a_topic_into_another_topic()
    {
        Kcat.Executable();
        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("iris-in", partitions: 3);
        string output = cluster.CreateUniqueTopic("iris-scored", partitions: 1);
        List<string> inputs = Enumerable.Repeat(EngineHarness.GuideInputLines, 20).SelectMany(x => x).ToList();
        string group = KafkaTestCluster.UniqueName("iris");
        await EngineHarness.KcatProduceAsync(cluster, input, inputs);

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, input, group)));
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, output)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard); // ends MaxWaitTime after the last record
        List<string> lines = await EngineHarness.KcatValuesAsync(cluster, output);

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(lines.Select(EngineHarness.ParseOutput).OrderBy(o => (o.A, o.B, o.C)),
                Is.EqualTo(inputs.Select(EngineHarness.Expected).OrderBy(o => (o.A, o.B, o.C))));
            Assert.That(KafkaInputTests.Committed(cluster, input, 3, group).Values.Sum(),
                Is.EqualTo(inputs.Count), "every input offset is committed once its output is delivered");
        });
    }
}
