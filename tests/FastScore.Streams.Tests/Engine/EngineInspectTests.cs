using System.Diagnostics.Metrics;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineInspectTests : EngineTestBase
{
    [Test]
    public async Task Inspect_shows_the_state_each_slot_stream_its_end_of_stream_flag_and_its_counters()
    {
        string input = WriteFile("in.txt", "a", "bb", "ccc");
        string output = PathOf("out.txt");
        StreamDescriptor source = File(input, EncodingDescriptor.Utf8);
        ScoringEngine engine = NewEngine(new EngineOptions { AutoStart = false });
        engine.LoadModel(new Recorder(), "recorder");
        engine.Attach(0, source, "source");
        engine.Attach(1, File(output, EncodingDescriptor.Utf8), "sink");

        EngineInspection before = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(before.State, Is.EqualTo(EngineState.Init));
            Assert.That(before.ModelName, Is.EqualTo("recorder"));
            Assert.That(before.Slots.Select(s => (s.Slot, s.IsInput, s.StreamName, s.Transport, s.EndOfStream, s.Records)),
                Is.EqualTo(new[] { (0, true, "source", "file", false, 0L), (1, false, "sink", "file", false, 0L) }));
        });

        engine.Start();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        EngineInspection after = engine.Inspect();
        SlotInspection in0 = after.Slots[0];
        SlotInspection out1 = after.Slots[1];
        Assert.Multiple(() =>
        {
            Assert.That(after.State, Is.EqualTo(EngineState.Finished));
            Assert.That(after.Error, Is.Null);
            Assert.That(after.Rejections, Is.Empty);
            Assert.That(after.ModelErrors, Is.Empty);
            Assert.That((in0.Transport, in0.Descriptor, in0.EndOfStream, in0.Records, in0.Bytes), Is.EqualTo(("file:" + input, source, true, 3L, 6L)));
            Assert.That((out1.Transport, out1.EndOfStream, out1.Records, out1.Bytes), Is.EqualTo(("file:" + output, true, 3L, 6L)));
            Assert.That((in0.RejectedByEncoding, in0.RejectedBySchema, in0.ModelErrors, in0.Oversized, in0.PendingRecords), Is.EqualTo((0L, 0L, 0L, 0L, 0L)));
        });
    }

    [Test]
    public async Task Input_end_of_stream_flags_are_per_slot()
    {
        ChannelInput in0 = Input("in0");
        Input("in2");
        Output("out1");
        Output("out3");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Router());
        engine.Attach(0, Test("in0"));
        engine.Attach(1, Test("out1"));
        engine.Attach(2, Test("in2"));
        engine.Attach(3, Test("out3"));
        in0.Complete();
        await Until(() => Slot(engine, 0).EndOfStream, "slot 0 reaches end of stream");

        Assert.That(engine.Inspect().Slots.Select(s => (s.Slot, s.EndOfStream)), Is.EqualTo(new[] { (0, true), (1, false), (2, false), (3, false) }));
    }

    [Test]
    public async Task The_counters_are_published_as_metrics_of_the_FastScore_Streams_meter()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var records = new MetricCollector<long>(meters, "FastScore.Streams", "fastscore.stream.records");
        using var bytes = new MetricCollector<long>(meters, "FastScore.Streams", "fastscore.stream.bytes");
        using var rejected = new MetricCollector<long>(meters, "FastScore.Streams", "fastscore.stream.rejected");
        using var errors = new MetricCollector<long>(meters, "FastScore.Streams", "fastscore.model.errors");

        ChannelInput input = Input("in").Write("\"a\"", "\"boom\"", "1", "\"bb\"");
        input.Complete();
        Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip }, meters);
        engine.LoadModel(new Thrower("boom"));
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json), "scores-in");
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Utf8), "scores-out");
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));

        // bytes: "a", "boom" and "bb" as JSON (3 + 6 + 4) in; the 1 that is not a string is rejected; a and bb out
        records.RecordObservableInstruments();
        bytes.RecordObservableInstruments();
        rejected.RecordObservableInstruments();
        errors.RecordObservableInstruments();
        Assert.Multiple(() =>
        {
            Assert.That(Values(records), Is.EquivalentTo(new[] { ("0", "scores-in", "input", (string?)null, 3L), ("1", "scores-out", "output", null, 2L) }));
            Assert.That(Values(bytes), Is.EquivalentTo(new[] { ("0", "scores-in", "input", (string?)null, 13L), ("1", "scores-out", "output", null, 3L) }));
            Assert.That(Values(rejected), Is.EquivalentTo(new[]
            {
                ("0", "scores-in", "input", (string?)"encoding", 1L), ("0", "scores-in", "input", "schema", 0L),
                ("1", "scores-out", "output", "encoding", 0L), ("1", "scores-out", "output", "schema", 0L),
            }));
            Assert.That(Values(errors), Is.EquivalentTo(new[] { ("0", "scores-in", "input", (string?)null, 1L) }));
            Assert.That(records.Instrument!.Unit, Is.EqualTo("{record}"));
            Assert.That(bytes.Instrument!.Unit, Is.EqualTo("By"));
        });
    }

    private static (string Slot, string Stream, string Direction, string? Reason, long Value)[] Values(MetricCollector<long> collector) =>
    [
        .. collector.GetMeasurementSnapshot().Select(m => (
            Convert.ToString(m.Tags["slot"], System.Globalization.CultureInfo.InvariantCulture)!,
            (string)m.Tags["stream"]!,
            (string)m.Tags["direction"]!,
            m.Tags.TryGetValue("reason", out object? reason) ? (string?)reason : null,
            m.Value)),
    ];
}
