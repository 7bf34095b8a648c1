using System.Diagnostics;
using System.Diagnostics.Metrics;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Benchmarks.Pipeline;

/// <summary>
/// Issue 17 point 6: the end-to-end engine (file → json + schema → identity model over bytes → json + schema → file)
/// without telemetry listeners (baseline) and with a MeterListener taking every FastScore.Streams instrument plus an
/// ActivityListener recording every span, in the same run. Goal: with listeners ≥ 0.95× the throughput.
/// </summary>
[MemoryDiagnoser]
public class TelemetryCostBenchmark
{
    /// <summary>Records per operation.</summary>
    public const int Records = 200_000;

    private string _dir = "";
    private string _input = "";
    private string _output = "";
    private MeterListener? _meters;
    private ActivityListener? _spans;
    private long _measurements;
    private long _activities;

    /// <summary>Writes the input file and warms the engine up.</summary>
    [GlobalSetup(Target = nameof(NoListeners))]
    public void SetupWithout() => Setup();

    /// <summary>Attaches the listeners, then writes the input file and warms the engine up.</summary>
    [GlobalSetup(Target = nameof(MetricsAndTracing))]
    public void SetupWith()
    {
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name.StartsWith("FastScore.Streams", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<int>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<long>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _measurements));
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "FastScore.Streams",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => Interlocked.Increment(ref _activities),
        };
        ActivitySource.AddActivityListener(_spans);
        Setup();
    }

    /// <summary>Removes the files and the listeners.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _meters?.RecordObservableInstruments();
        _meters?.Dispose();
        _spans?.Dispose();
        Directory.Delete(_dir, recursive: true);
        if (_spans is not null && (Interlocked.Read(ref _activities) == 0 || Interlocked.Read(ref _measurements) == 0))
        {
            throw new InvalidOperationException("The listeners saw nothing: the benchmark measured nothing of the telemetry.");
        }
    }

    /// <summary>No listener: the engine takes no timestamp and creates no span.</summary>
    /// <returns>The records written.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public Task<long> NoListeners() => RunAsync(_input, Records);

    /// <summary>Every instrument listened to and every span recorded.</summary>
    /// <returns>The records written.</returns>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task<long> MetricsAndTracing() => RunAsync(_input, Records);

    private void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fss-telemetry-").FullName;
        _input = Path.Combine(_dir, "in.jsons");
        _output = Path.Combine(_dir, "out.jsons");
        string warmUp = Path.Combine(_dir, "warm-up.jsons");
        File.WriteAllBytes(warmUp, IrisData.NewlineDelimited(1000));
        for (int i = 0; i < 40; i++)
        {
            RunAsync(warmUp, 1000).GetAwaiter().GetResult();
        }

        File.WriteAllBytes(_input, IrisData.NewlineDelimited(Records));
    }

    private async Task<long> RunAsync(string input, int records)
    {
        await using var engine = new ScoringEngine();
        engine.LoadModel(new BytesIdentity());
        engine.Attach(0, StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{input}}"}, "Encoding": "json", "Schema": {{IrisData.InputSchema}}}"""));
        engine.Attach(1, StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{_output}}"}, "Encoding": "json", "Schema": {{IrisData.InputSchema}}}"""));
        EngineState state = await engine.Completion.ConfigureAwait(false);
        EngineInspection inspection = engine.Inspect();
        if (state != EngineState.Finished || inspection.Slots[1].Records != records)
        {
            throw new InvalidOperationException($"The run ended {state} with {inspection.Slots[1].Records} records: {inspection.Error}");
        }

        return inspection.Slots[1].Records;
    }

    private sealed class BytesIdentity : IModel<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
    {
        public ValueTask ActionAsync(ReadOnlyMemory<byte> input, RecordContext context, IModelOutput<ReadOnlyMemory<byte>> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
