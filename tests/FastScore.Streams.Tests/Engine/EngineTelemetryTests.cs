using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace FastScore.Streams.Tests.Engine;

/// <summary>Issue 17 points 2 and 3: the engine's metrics (asserted through a MeterListener) and spans (an ActivityListener).</summary>
[NonParallelizable] // the ActivitySource and the histograms' Enabled flags are process-wide
public sealed class EngineTelemetryTests : EngineTestBase
{
    [Test]
    public async Task Counters_histograms_and_the_state_gauge_report_what_the_run_did()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var listener = new Listener(meters);

        ChannelInput input = Input("in").Write("1", "2", "x", "3", "4");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions(), meters);
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json), "numbers");
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json), "copies");
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        listener.Collect();

        Assert.Multiple(() =>
        {
            Assert.That(listener.Last("messaging.client.consumed.messages", slot: 0), Is.EqualTo(4), "x is rejected, not consumed");
            Assert.That(listener.Last("messaging.client.sent.messages", slot: 1), Is.EqualTo(4));
            Assert.That(listener.Tag("messaging.client.consumed.messages", "messaging.system"), Is.EqualTo("test"));
            Assert.That(listener.Tag("messaging.client.consumed.messages", "messaging.destination.name"), Is.EqualTo("numbers"));
            Assert.That(listener.Values("fastscore.engine.batch.size", slot: 0).Sum(), Is.EqualTo(4), "every scored record is in one batch");
            Assert.That(listener.Values("fastscore.model.batch.duration", slot: 0), Is.Not.Empty.And.All.GreaterThanOrEqualTo(0));
            Assert.That(listener.Values("fastscore.model.record.duration", slot: 0), Has.Count.EqualTo(listener.Values("fastscore.model.batch.duration", slot: 0).Count));
            Assert.That(listener.Values("fastscore.engine.latency", slot: 0), Is.Not.Empty.And.All.GreaterThanOrEqualTo(0), "the batches were acknowledged");
            Assert.That(listener.StateValues(), Is.EquivalentTo(new[] { ("init", 0.0), ("running", 0.0), ("paused", 0.0), ("finishing", 0.0), ("finished", 1.0), ("error", 0.0) }));
            Assert.That(output.Records, Has.Count.EqualTo(4));
        });
    }

    [Test]
    public async Task The_queue_depth_gauge_shows_batches_waiting_for_a_blocked_output()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var listener = new Listener(meters);

        ChannelInput input = Input("in");
        CollectingOutput output = Output("out", blocked: true);
        ScoringEngine engine = NewEngine(new EngineOptions(), meters);
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        int n = 0;
        await Until(() =>
        {
            input.Write((++n).ToString(System.Globalization.CultureInfo.InvariantCulture)); // one at a time: each idle moment sends a batch
            Thread.Sleep(2);
            listener.Collect();
            return listener.Last("fastscore.engine.queue.depth", slot: 1) >= 2;
        }, "two output batches wait behind the blocked write");

        output.Release();
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(output.Records, Has.Count.EqualTo(n));
    }

    [Test]
    public async Task A_batch_span_links_to_the_records_trace_contexts_and_its_traceparent_goes_out_with_the_outputs()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "FastScore.Streams",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activities);

        const string Upstream = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        ChannelInput input = Input("in").WriteWithHeaders("a", ("traceparent", Upstream), ("tracestate", "vendor=1")).Write("b");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"), "orders");
        engine.Attach(1, Test("out"));
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));

        Activity process = spans.Single(s => s.DisplayName == "process orders");
        Activity settle = spans.First(s => s.DisplayName == "settle orders");
        string[] written = [.. output.Headers.Select(h => Encoding.ASCII.GetString(h!.Single(x => x.Key == "traceparent").Value.Span))];
        Assert.Multiple(() =>
        {
            Assert.That(process.Kind, Is.EqualTo(ActivityKind.Consumer));
            Assert.That(process.Links.Select(l => (l.Context.TraceId.ToString(), l.Context.SpanId.ToString(), l.Context.TraceState)),
                Is.EqualTo(new[] { ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", (string?)"vendor=1") }), "b carries no context: one link");
            Assert.That(process.GetTagItem("messaging.batch.message_count"), Is.EqualTo(2));
            Assert.That(process.GetTagItem("messaging.operation.type"), Is.EqualTo("process"));
            Assert.That(written, Is.EqualTo(new[] { process.Id, process.Id }), "both outputs carry the batch span's traceparent");
            Assert.That(settle.Links.Select(l => l.Context.SpanId), Is.EqualTo(new[] { process.SpanId }));
            Assert.That(settle.GetTagItem("messaging.operation.type"), Is.EqualTo("settle"));
        });
    }

    /// <summary>A MeterListener on the instruments of one meter factory's <c>FastScore.Streams</c> meter.</summary>
    private sealed class Listener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

        public Listener(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "FastScore.Streams" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
            _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
            _listener.Start();
        }

        public void Collect() => _listener.RecordObservableInstruments();

        public List<double> Values(string name, int slot) =>
            [.. _measurements.Where(m => m.Name == name && SlotOf(m.Tags) == slot).Select(m => m.Value)];

        public double Last(string name, int slot) => Values(name, slot).DefaultIfEmpty(-1).Last();

        public string? Tag(string name, string tag) =>
            _measurements.Where(m => m.Name == name).Select(m => m.Tags.FirstOrDefault(t => t.Key == tag).Value as string).LastOrDefault();

        public (string, double)[] StateValues()
        {
            var last = new Dictionary<string, double>();
            foreach ((string name, double value, KeyValuePair<string, object?>[] tags) in _measurements)
            {
                if (name == "fastscore.engine.state")
                {
                    last[(string)tags.Single(t => t.Key == "fastscore.engine.state").Value!] = value;
                }
            }

            return [.. last.Select(kv => (kv.Key, kv.Value))];
        }

        public void Dispose() => _listener.Dispose();

        private static int? SlotOf(KeyValuePair<string, object?>[] tags) => tags.FirstOrDefault(t => t.Key == "slot").Value as int?;
    }
}
