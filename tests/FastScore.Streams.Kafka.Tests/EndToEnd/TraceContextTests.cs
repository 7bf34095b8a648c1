using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using FastScore.Samples.Iris;
using FastScore.Streams.Engine;
using FastScore.Streams.Kafka.Tests.Infrastructure;
using FastScore.Streams.Kafka.Tests.Transport;

namespace FastScore.Streams.Kafka.Tests.EndToEnd;

/// <summary>Issue 17 point 3: a traceparent in Kafka headers is linked from the batch span, whose traceparent the output messages carry.</summary>
[Category("Integration")]
[NonParallelizable] // the ActivitySource is process-wide
public sealed class TraceContextTests
{
    [Test]
    public async Task The_input_trace_is_linked_and_the_output_messages_carry_the_batch_spans_traceparent()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "FastScore.Streams",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var cluster = KafkaTestCluster.Shared;
        string input = cluster.CreateUniqueTopic("trace-in", partitions: 1);
        string output = cluster.CreateUniqueTopic("trace-out", partitions: 1);
        var headers = new Headers { { "traceparent", Encoding.ASCII.GetBytes("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01") } };
        KafkaStreams.Produce(cluster, input, [((string?)null, EngineHarness.GuideInputLines[0])], partition: 0, headers: headers);

        await using ScoringEngine engine = EngineHarness.Engine();
        engine.LoadModel(new IrisModel());
        engine.Attach(0, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, input, KafkaTestCluster.UniqueName("trace"))), "traced-in");
        engine.Attach(1, EngineHarness.KafkaJson(KafkaStreams.Transport(cluster, output)));
        EngineState final = await engine.Completion.WaitAsync(KafkaStreams.Guard);
        ConsumeResult<string?, string> scored = KafkaStreams.ReadAll(cluster, output, partitions: 1, expected: 1).Single();

        Activity process = spans.Single(s => s.DisplayName == "process traced-in");
        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
            Assert.That(process.Links.Select(l => l.Context.TraceId.ToString()), Is.EqualTo(new[] { "4bf92f3577b34da6a3ce929d0e0e4736" }));
            Assert.That(Encoding.ASCII.GetString(scored.Message.Headers.GetLastBytes("traceparent")), Is.EqualTo(process.Id));
            Assert.That(process.GetTagItem("messaging.system"), Is.EqualTo("kafka"));
        });
    }
}
