using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>A model reads a record's Kafka key, headers and position from <see cref="RecordContext.Metadata"/>.</summary>
[Category("Integration")]
public sealed class MetadataTests
{
    private sealed class KeyAndHeaderModel : IModel<string, string>
    {
        public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            var kafka = (KafkaMessageMetadata)context.Metadata!;
            output.Emit($"{kafka.KeyAsString()}|{kafka.HeaderAsString("tenant")}|{kafka.Position}|{input}");
            return default;
        }
    }

    [Test]
    public async Task A_model_reads_the_key_headers_and_position_of_records_produced_by_kcat()
    {
        Kcat.Executable();
        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("meta-in", partitions: 1);
        string output = cluster.CreateUniqueTopic("meta-out", partitions: 1);
        await Kcat.RunAsync(["-P", "-b", cluster.BootstrapServers, "-t", input, "-p", "0", "-K", "\t", "-H", "tenant=acme"], "k1\tfirst\nk2\tsecond\n");

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new KeyAndHeaderModel());
        engine.Attach(0, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, input)));
        engine.Attach(1, EngineHarness.KafkaUtf8(KafkaStreams.Transport(cluster, output)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);
        List<string> lines = await EngineHarness.KcatValuesAsync(cluster, output);

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(lines, Is.EqualTo(new[] { $"k1|acme|{input}/0@0|first", $"k2|acme|{input}/0@1|second" }));
        });
    }
}
