using System.Diagnostics;
using System.Diagnostics.Metrics;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Diagnostics;

/// <summary>
/// The engine's instruments (Meter <c>FastScore.Streams</c>, see docs/operations.md). Counters and gauges are observable:
/// they read the streams' counters when a listener collects, so they cost nothing per record. Histograms are recorded
/// once per batch, and only while a listener is subscribed to them (<see cref="Instrument.Enabled"/>): with no listener
/// the hot path takes no timestamp and allocates nothing.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "FastScore.Streams";

    private static readonly string[] s_states = ["init", "running", "paused", "finishing", "finished", "error"];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public EngineMetrics(IMeterFactory? meterFactory, Func<IReadOnlyList<SlotInspection>> slots, Func<EngineState> state, Func<IReadOnlyList<(EngineSlot Slot, int Depth)>> queues)
    {
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(MeterName);
        }
        else
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }

        // FastScore.Streams' own names (since issue 6).
        _meter.CreateObservableCounter("fastscore.stream.records", () => Measure(slots(), s => s.Records), "{record}", "Records read from inputs or written to outputs, rejected ones excluded.");
        _meter.CreateObservableCounter("fastscore.stream.bytes", () => Measure(slots(), s => s.Bytes), "By", "Bytes of those records.");
        _meter.CreateObservableCounter("fastscore.stream.rejected", () => Rejected(slots()), "{record}", "Records rejected by encoding or by schema.");
        _meter.CreateObservableCounter("fastscore.model.errors", () => Measure(slots().Where(s => s.IsInput), s => s.ModelErrors), "{error}", "Exceptions thrown by the model, per input slot.");

        // OpenTelemetry messaging semantic conventions (messaging.client.*), per slot and stream.
        _meter.CreateObservableCounter("messaging.client.consumed.messages", () => Messaging(slots(), input: true), "{message}", "Records read from an input stream, rejected ones excluded.");
        _meter.CreateObservableCounter("messaging.client.sent.messages", () => Messaging(slots(), input: false), "{message}", "Records written to an output stream (delivered, for outputs that confirm delivery).");
        _meter.CreateObservableCounter("fastscore.stream.oversized", () => Measure(slots(), s => s.Oversized), "{record}", "Records longer than the envelope's MaxRecordSize (rejected or truncated).");

        _meter.CreateObservableGauge("fastscore.engine.queue.depth", () => Queues(queues()), "{batch}", "Batches waiting in a slot's bounded channel: read but not yet scored (input), or scored but not yet written (output).");
        _meter.CreateObservableGauge("fastscore.engine.pending.records", () => Measure(slots().Where(s => s.IsInput), s => s.PendingRecords), "{record}", "Records waiting in a batch model's pending batch.");
        _meter.CreateObservableUpDownCounter("fastscore.engine.state", () => States(state()), "{state}", "1 for the engine's current state, 0 for the others (attribute fastscore.engine.state).");

        BatchSize = _meter.CreateHistogram<int>("fastscore.engine.batch.size", "{record}", "Records per input batch scored by the engine.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        ModelBatchDuration = _meter.CreateHistogram<double>("fastscore.model.batch.duration", "s", "Time the engine spent scoring one input batch: the model's calls and encoding what it emitted.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] });
        ModelRecordDuration = _meter.CreateHistogram<double>("fastscore.model.record.duration", "s", "Scoring time per record: a batch's duration divided by its records, recorded once per batch.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0000001, 0.0000005, 0.000001, 0.000005, 0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.01, 0.1, 1] });
        Latency = _meter.CreateHistogram<double>("fastscore.engine.latency", "s", "End-to-end latency of an input batch: from when its input read it to when it was acknowledged, after every output (and the rejects stream) made its outputs durable.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>Gets the activity source of the engine's spans (one per scored batch).</summary>
    public static ActivitySource Source { get; } = new(MeterName);

    public Histogram<int> BatchSize { get; }

    public Histogram<double> ModelBatchDuration { get; }

    public Histogram<double> ModelRecordDuration { get; }

    public Histogram<double> Latency { get; }

    /// <summary>Gets whether any per-batch histogram has a listener (the run loop takes timestamps only then).</summary>
    public bool BatchesObserved => BatchSize.Enabled || ModelBatchDuration.Enabled || ModelRecordDuration.Enabled;

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>The tags of a slot's measurements (slot, stream, direction, and the OpenTelemetry messaging attributes).</summary>
    public static KeyValuePair<string, object?>[] Tags(int slot, string stream, bool isInput, string transport) =>
    [
        new("slot", slot),
        new("stream", stream),
        new("direction", isInput ? "input" : "output"),
        new("messaging.system", transport),
        new("messaging.destination.name", stream),
    ];

    private static IEnumerable<Measurement<long>> Measure(IEnumerable<SlotInspection> slots, Func<SlotInspection, long> value) =>
        slots.Select(s => new Measurement<long>(value(s), Tags(s)));

    private static IEnumerable<Measurement<long>> Messaging(IEnumerable<SlotInspection> slots, bool input) =>
        slots.Where(s => s.IsInput == input).Select(s => new Measurement<long>(s.Records, Tags(s)));

    private static IEnumerable<Measurement<int>> Queues(IEnumerable<(EngineSlot Slot, int Depth)> queues) =>
        queues.Select(q => new Measurement<int>(q.Depth, q.Slot.MetricTags));

    private static IEnumerable<Measurement<int>> States(EngineState state)
    {
        for (int i = 0; i < s_states.Length; i++)
        {
            yield return new Measurement<int>((int)state == i ? 1 : 0, new KeyValuePair<string, object?>("fastscore.engine.state", s_states[i]));
        }
    }

    private static IEnumerable<Measurement<long>> Rejected(IEnumerable<SlotInspection> slots)
    {
        foreach (SlotInspection s in slots)
        {
            yield return new Measurement<long>(s.RejectedByEncoding, [.. Tags(s), new("reason", "encoding")]);
            yield return new Measurement<long>(s.RejectedBySchema, [.. Tags(s), new("reason", "schema")]);
        }
    }

    private static KeyValuePair<string, object?>[] Tags(SlotInspection s) => Tags(s.Slot, s.StreamName, s.IsInput, s.Descriptor.Transport.Type);
}
