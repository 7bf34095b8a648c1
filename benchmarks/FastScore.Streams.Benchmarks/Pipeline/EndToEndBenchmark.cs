using System.Text.Json;
using System.Text.Json.Serialization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Benchmarks.Pipeline;

/// <summary>
/// End to end: file → delimited → json → Avro schema check → identity model → json → schema check → delimited → file,
/// on iris-sized records, against a hand-written StreamReader.ReadLine + JsonSerializer + StreamWriter loop.
/// </summary>
[MemoryDiagnoser]
public class EndToEndBenchmark
{
    /// <summary>Records per operation.</summary>
    public const int Records = 1_000_000;

    private string _dir = "";

    /// <summary>Gets or sets the records in the input file (the probe uses fewer; BenchmarkDotNet uses <see cref="Records"/>).</summary>
    public int RecordCount { get; set; } = Records;
    private string _input = "";
    private string _output = "";

    /// <summary>Gets or sets how many short runs (1,000 records) of each method <see cref="Setup"/> makes before measuring.</summary>
    public int WarmUpRuns { get; set; } = 40;

    /// <summary>
    /// Writes the input file, then runs each method <see cref="WarmUpRuns"/> times on 1,000 records. Code that runs
    /// once per run (attaching streams, parsing descriptors and schemas) is compiled again, optimized, by the runtime's
    /// tiered compilation only after about 30 calls, on a background thread that takes one of the machine's two cores
    /// while it works; without these short runs that happens during the first ~35 measured iterations, and those
    /// iterations measure the compiler.
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fss-e2e-").FullName;
        _input = Path.Combine(_dir, "in.jsons");
        _output = Path.Combine(_dir, "out.jsons");
        string warmUp = Path.Combine(_dir, "warm-up.jsons");
        File.WriteAllBytes(warmUp, IrisData.NewlineDelimited(1000));
        for (int i = 0; i < WarmUpRuns; i++)
        {
            HandWritten(warmUp);
            RunAsync(new TypedIdentity(), warmUp, 1000).GetAwaiter().GetResult();
            RunAsync(new BytesIdentity(), warmUp, 1000).GetAwaiter().GetResult();
        }

        File.WriteAllBytes(_input, IrisData.NewlineDelimited(RecordCount));
    }

    /// <summary>Removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>What a user would write by hand (no schema check).</summary>
    /// <returns>The records written.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long HandWritten() => HandWritten(_input);

    private long HandWritten(string input)
    {
        long n = 0;
        using var reader = new StreamReader(input);
        using var writer = new StreamWriter(_output);
        while (reader.ReadLine() is { } line)
        {
            IrisRecord record = JsonSerializer.Deserialize<IrisRecord>(line)!;
            writer.WriteLine(JsonSerializer.Serialize(record));
            n++;
        }

        return n;
    }

    /// <summary>The engine with a typed identity model (decode to a POCO, encode it back), schema-checked both ways.</summary>
    /// <returns>The records written.</returns>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task<long> EngineTypedPoco() => RunAsync(new TypedIdentity(), _input, RecordCount);

    /// <summary>The engine with an identity model over the records' bytes (no decode), schema-checked both ways.</summary>
    /// <returns>The records written.</returns>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task<long> EngineRawBytes() => RunAsync(new BytesIdentity(), _input, RecordCount);

    private async Task<long> RunAsync(IModel model, string input, int records)
    {
        await using var engine = new ScoringEngine();
        engine.LoadModel(model);
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

    private sealed class TypedIdentity : IModel<IrisRecord, IrisRecord>
    {
        public ValueTask ActionAsync(IrisRecord input, RecordContext context, IModelOutput<IrisRecord> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
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
