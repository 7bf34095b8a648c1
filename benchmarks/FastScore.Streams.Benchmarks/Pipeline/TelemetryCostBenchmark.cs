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
        Attach();
        Setup();
    }

    /// <summary>
    /// A paired cross-check in one process: rounds of 200,000 records alternate without and with the listeners (the
    /// listeners are attached for a round and removed after it; the order flips every round), so both see the same
    /// machine load. Prints each one's median and fastest round and the throughput ratios. Run:
    /// <c>dotnet run -c Release --project benchmarks/FastScore.Streams.Benchmarks -- probe-telemetry [rounds]</c>.
    /// </summary>
    /// <param name="rounds">Rounds of each.</param>
    public static void Probe(int rounds)
    {
        var bench = new TelemetryCostBenchmark();
        bench.Setup();
        var without = new List<double>();
        var with = new List<double>();
        var allocatedWithout = new List<double>();
        var allocatedWith = new List<double>();
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                foreach (bool listening in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    if (listening)
                    {
                        bench.Attach();
                    }

                    long allocated = GC.GetTotalAllocatedBytes(precise: true);
                    long start = Stopwatch.GetTimestamp();
                    bench.RunAsync(bench._input, Records).GetAwaiter().GetResult();
                    double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Records;
                    double bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Records;
                    (listening ? allocatedWith : allocatedWithout).Add(bytes);
                    if (listening)
                    {
                        bench.Detach();
                    }

                    (listening ? with : without).Add(ns);
                    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"round {round + 1,2} {(listening ? "MetricsAndTracing" : "NoListeners      ")} {ns,7:F1} ns/record, {bytes,6:F1} B/record allocated"));
                }
            }
        }
        finally
        {
            Directory.Delete(bench._dir, recursive: true);
        }

        double medianWithout = Median(without), medianWith = Median(with);
        double bestWithout = without.Min(), bestWith = with.Min();
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"NoListeners:       median {medianWithout:F1} ns/record, fastest {bestWithout:F1}\nMetricsAndTracing: median {medianWith:F1} ns/record, fastest {bestWith:F1}\n" +
            $"throughput with listeners: {medianWithout / medianWith:F3}x by the medians, {bestWithout / bestWith:F3}x by the fastest rounds ({rounds} rounds each, {bench._measurements} measurements and {bench._activities} spans seen)\n" +
            $"allocated per record (median): {Median(allocatedWithout):F1} B without, {Median(allocatedWith):F1} B with the listeners"));
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private void Detach()
    {
        _meters?.RecordObservableInstruments();
        _meters?.Dispose();
        _meters = null;
        _spans?.Dispose();
        _spans = null;
    }

    private void Attach()
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
