using System.Diagnostics.Metrics;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Diagnostics;

/// <summary>The engine's counters as System.Diagnostics.Metrics instruments (Meter <c>FastScore.Streams</c>).</summary>
internal sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "FastScore.Streams";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public EngineMetrics(IMeterFactory? meterFactory, Func<IReadOnlyList<SlotInspection>> slots)
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

        _meter.CreateObservableCounter("fastscore.stream.records", () => Measure(slots(), s => s.Records), "{record}", "Records read from inputs or written to outputs, rejected ones excluded.");
        _meter.CreateObservableCounter("fastscore.stream.bytes", () => Measure(slots(), s => s.Bytes), "By", "Bytes of those records.");
        _meter.CreateObservableCounter("fastscore.stream.rejected", () => Rejected(slots()), "{record}", "Records rejected by encoding or by schema.");
        _meter.CreateObservableCounter("fastscore.model.errors", () => Measure(slots().Where(s => s.IsInput), s => s.ModelErrors), "{error}", "Exceptions thrown by the model, per input slot.");
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<long>> Measure(IEnumerable<SlotInspection> slots, Func<SlotInspection, long> value) =>
        slots.Select(s => new Measurement<long>(value(s), Tags(s)));

    private static IEnumerable<Measurement<long>> Rejected(IEnumerable<SlotInspection> slots)
    {
        foreach (SlotInspection s in slots)
        {
            yield return new Measurement<long>(s.RejectedByEncoding, [.. Tags(s), new("reason", "encoding")]);
            yield return new Measurement<long>(s.RejectedBySchema, [.. Tags(s), new("reason", "schema")]);
        }
    }

    private static KeyValuePair<string, object?>[] Tags(SlotInspection s) =>
    [
        new("slot", s.Slot),
        new("stream", s.StreamName),
        new("direction", s.IsInput ? "input" : "output"),
    ];
}
