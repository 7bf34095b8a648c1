using System.Globalization;
using System.Text;
using System.Text.Json;
using Avro.File;
using Avro.Generic;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using FastScore.Streams.Benchmarks.AvroBinary;
using FastScore.Streams.Benchmarks.Csv;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Benchmarks.AvroCsv;

/// <summary>
/// Issue 14 point 7: a deflate container file of iris records → identity model → a deflate container file, through the
/// engine (ocf-block + avro-binary in and out, schema checks on), against a hand-written Apache.Avro
/// <c>DataFileReader</c> → <c>DataFileWriter</c> loop over generic records. Times per record.
/// </summary>
[MemoryDiagnoser]
public class OcfEndToEndBenchmark
{
    public const int Records = 500_000;

    private string _dir = "";
    private string _input = "";
    private string _output = "";
    private global::Avro.Schema _schema = null!;

    /// <summary>Gets the records per file (BenchmarkDotNet: <see cref="Records"/>; the probe may use fewer).</summary>
    public int Count { get; init; } = Records;

    /// <summary>Gets the warm-up runs of each method in the setup.</summary>
    public int WarmUps { get; init; } = 3;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fss-ocf-e2e-").FullName;
        _input = Path.Combine(_dir, "in.avro");
        _output = Path.Combine(_dir, "out.avro");
        _schema = global::Avro.Schema.Parse(AvroBenchData.IrisSchema);
        using (IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(_schema), _input, Codec.CreateCodec(Codec.Type.Deflate)))
        {
            for (int i = 0; i < Count; i++)
            {
                writer.Append(AvroBenchData.Iris(_schema, i));
            }
        }

        // Warm-up runs on the whole file (tiered compilation of the engine's paths), as EndToEndBenchmark does.
        for (int i = 0; i < WarmUps; i++)
        {
            HandWrittenDataFileLoop();
            EngineOcfPoco().GetAwaiter().GetResult();
            EngineOcfRawBytes().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>Apache.Avro: every record read as a generic record and appended to a deflate writer.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long HandWrittenDataFileLoop()
    {
        long n = 0;
        using IFileReader<GenericRecord> reader = DataFileReader<GenericRecord>.OpenReader(_input);
        using IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(_schema), _output, Codec.CreateCodec(Codec.Type.Deflate));
        foreach (GenericRecord record in reader.NextEntries)
        {
            writer.Append(record);
            n++;
        }

        return n;
    }

    /// <summary>The engine, the model taking and giving POCOs (decoded and encoded by the compiled Avro reader and writer).</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task<long> EngineOcfPoco() => Engines.RunAsync(new Identity<IrisRecord>(), Ocf(_input), Ocf(_output), Count);

    /// <summary>The engine, the model taking and giving the records' bytes (checked, not decoded).</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task<long> EngineOcfRawBytes() => Engines.RunAsync(new Identity<ReadOnlyMemory<byte>>(), Ocf(_input), Ocf(_output), Count);

    private static StreamDescriptor Ocf(string path) => StreamDescriptor.Parse($$"""
        {"Transport": {"Type": "file", "Path": "{{path}}"}, "Envelope": {"Type": "ocf-block", "Compress": "deflate"}, "Encoding": "avro-binary", "Schema": {{AvroBenchData.IrisSchema}}}
        """);
}

/// <summary>
/// Issue 14 point 7: a CSV file of iris rows (with its header) → identity model → a json file, through the engine
/// (delimited-csv + csv in, checked; json out, checked), against a hand-written CsvHelper <c>GetRecords</c> +
/// <c>JsonSerializer</c> loop. Times per record.
/// </summary>
[MemoryDiagnoser]
public class CsvToJsonEndToEndBenchmark
{
    public const int Records = 500_000;

    private const string Schema = """{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"},{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"}]}""";

    private string _dir = "";
    private string _input = "";
    private string _output = "";

    /// <summary>Gets the records per file (BenchmarkDotNet: <see cref="Records"/>; the probe may use fewer).</summary>
    public int Count { get; init; } = Records;

    /// <summary>Gets the warm-up runs of each method in the setup.</summary>
    public int WarmUps { get; init; } = 3;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("fss-csv-e2e-").FullName;
        _input = Path.Combine(_dir, "in.csv");
        _output = Path.Combine(_dir, "out.jsons");
        var text = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width\r\n");
        for (int i = 0; i < Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{4.3f + (i % 36 / 10f)},{2.0f + (i % 24 / 10f)},{1.0f + (i % 59 / 10f)},{0.1f + (i % 25 / 10f)}\r\n");
        }

        File.WriteAllText(_input, text.ToString());
        for (int i = 0; i < WarmUps; i++)
        {
            HandWrittenCsvHelperJson();
            EngineCsvToJsonPoco().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>CsvHelper 34 reads the file's rows into its source-generated records; each becomes the host's record and is serialized, one JSON line each.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long HandWrittenCsvHelperJson() => HandWritten(durable: false);

    /// <summary>
    /// The same loop, its output made durable at close (<c>fsync</c>) as the engine's file output is (the engine
    /// acknowledges only durable results): the hand-written loop with the engine's guarantee.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long HandWrittenCsvHelperJsonDurable() => HandWritten(durable: true);

    private long HandWritten(bool durable)
    {
        long n = 0;
        using CsvReader reader = CsvReader.Create(File.ReadAllBytes(_input), CsvReaderOptions.Default with { Separator = ',', HasHeader = true });
        using var file = new FileStream(_output, FileMode.Create, FileAccess.Write, FileShare.Read, 4096);
        using var writer = new StreamWriter(file);
        foreach (CsvIrisRow row in reader.GetRecords<CsvIrisRow>())
        {
            writer.WriteLine(JsonSerializer.Serialize(new IrisRecord { SepalLength = row.SepalLength, SepalWidth = row.SepalWidth, PetalLength = row.PetalLength, PetalWidth = row.PetalWidth }));
            n++;
        }

        if (durable)
        {
            writer.Flush();
            file.Flush(flushToDisk: true);
        }

        return n;
    }

    /// <summary>The engine, the model taking and giving POCOs.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task<long> EngineCsvToJsonPoco() => Engines.RunAsync(new Identity<IrisRecord>(),
        StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{_input}}"}, "Encoding": "csv", "Schema": {{Schema}}}"""),
        StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{_output}}"}, "Encoding": "json", "Schema": {{Schema}}}"""), Count);
}

internal sealed class Identity<T> : IModel<T, T>
{
    public ValueTask ActionAsync(T input, RecordContext context, IModelOutput<T> output, CancellationToken cancellationToken)
    {
        output.Emit(input);
        return default;
    }
}

internal static class Engines
{
    public static async Task<long> RunAsync(IModel model, StreamDescriptor input, StreamDescriptor output, int records)
    {
        await using var engine = new ScoringEngine();
        engine.LoadModel(model);
        engine.Attach(0, input);
        engine.Attach(1, output);
        EngineState state = await engine.Completion.ConfigureAwait(false);
        EngineInspection inspection = engine.Inspect();
        if (state != EngineState.Finished || inspection.Slots[1].Records != records)
        {
            throw new InvalidOperationException($"The run ended {state} with {inspection.Slots[1].Records} records: {inspection.Error}");
        }

        return inspection.Slots[1].Records;
    }
}
