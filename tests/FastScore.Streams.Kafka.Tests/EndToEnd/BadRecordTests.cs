using FastScore.Samples.Iris;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>Records that fail decoding or the schema are counted and reported with their topic/partition@offset; the stream goes on.</summary>
[Category("Integration")]
public sealed class BadRecordTests
{
    [Test]
    public async Task Invalid_json_and_schema_violations_are_reported_with_their_offsets_and_the_stream_keeps_scoring()
    {
        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("bad-in", partitions: 1);
        string output = cluster.CreateUniqueTopic("bad-out", partitions: 1);
        IReadOnlyList<string> good = EngineHarness.GuideInputLines;
        List<string> records =
        [
            good[0],
            "{not json",                                                                                  // offset 1: encoding
            good[1],
            """{"sepal_length": "wide", "sepal_width": 3.1, "petal_length": 1.5, "petal_width": 0.2}""", // offset 3: schema (type)
            """{"sepal_length": 5.1}""",                                                                 // offset 4: schema (missing fields)
            good[2],
            "",                                                                                           // offset 6: encoding (empty)
            good[3],
        ];
        KafkaStreams.Produce(cluster, input, records, partition: 0);

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, input, KafkaTestCluster.UniqueName("bad"))));
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, output)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);
        EngineInspection inspection = engine.Inspect();
        foreach (RejectedRecord rejection in inspection.Rejections)
        {
            TestContext.Out.WriteLine(rejection);
        }

        List<string> scored = KafkaStreams.ReadAll(cluster, output, partitions: 1, expected: 4).Select(r => r.Message.Value).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), inspection.Error);
            Assert.That(scored.Select(EngineHarness.ParseOutput), Is.EqualTo(good.Take(4).Select(EngineHarness.Expected)));
            Assert.That(inspection.Rejections.Select(r => (r.Position, r.Kind)), Is.EqualTo(new[]
            {
                ($"{input}/0@1", RejectionKind.Encoding),
                ($"{input}/0@3", RejectionKind.Schema),
                ($"{input}/0@4", RejectionKind.Schema),
                ($"{input}/0@6", RejectionKind.Encoding),
            }));
            Assert.That(inspection.Rejections.Select(r => r.ToString()), Has.Some.Contains($"({input}/0@3): rejected by schema"));
            SlotInspection slot = inspection.Slots.Single(s => s.Slot == 0);
            Assert.That((slot.Records, slot.RejectedByEncoding, slot.RejectedBySchema), Is.EqualTo((4L, 2L, 2L)));
        });
    }
}
