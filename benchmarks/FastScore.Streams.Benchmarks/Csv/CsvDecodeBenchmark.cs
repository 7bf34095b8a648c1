using System.Buffers;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using CsvField = FastScore.Streams.Encodings.Csv.CsvField;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Benchmarks.Csv;

/// <summary>An iris row (CsvHelper 34 maps types by its source generator: <c>[CsvRecord]</c>, partial).</summary>
[CsvRecord]
public sealed partial class CsvIrisRow
{
    [CsvColumn("sepal_length")]
    public float SepalLength { get; set; }

    [CsvColumn("sepal_width")]
    public float SepalWidth { get; set; }

    [CsvColumn("petal_length")]
    public float PetalLength { get; set; }

    [CsvColumn("petal_width")]
    public float PetalWidth { get; set; }
}

/// <summary>A mixed CSV row: an int, a string (often quoted), a double, a boolean and a nullable long.</summary>
[CsvRecord]
public sealed partial class MixedRow
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    public double Amount { get; set; }

    public bool Active { get; set; }

    public long? Ref { get; set; }
}

/// <summary>
/// CSV decoding of a 1,000-row file (with its header) to POCOs: CsvHelper's <c>GetRecords&lt;T&gt;</c> over the bytes
/// (the baseline) against the delimited-csv envelope and the csv encoding as an input stream runs them (the span fast
/// path, then the reader path; every row checked against the schema and decoded in one pass). Times are per row.
/// </summary>
[MemoryDiagnoser]
public class CsvDecodeBenchmark
{
    public const int Count = 1000;

    private const string MixedSchema = """
        {"type":"record","name":"Mixed","fields":[{"name":"id","type":"int"},{"name":"name","type":"string"},{"name":"amount","type":"double"},
        {"name":"active","type":"boolean"},{"name":"ref","type":["null","long"]}]}
        """;

    private byte[] _file = null!;
    private CsvRecordEncoding _encoding = null!;
    private CsvSchemaChecker _checker = null!;
    private CsvReaderOptions _options = null!;

    /// <summary>The rows: iris (four floats) or mixed (int, string, double, boolean, nullable long).</summary>
    [Params("iris", "mixed")]
    public string Rows { get; set; } = "iris";

    /// <summary>Writes the file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        Avro.Schema schema;
        if (Rows == "iris")
        {
            schema = Avro.Schema.Parse(IrisData.InputSchema);
            text.Append("petal_length,petal_width,sepal_length,sepal_width\r\n");
            for (int i = 0; i < Count; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{1 + (i % 60) / 10.0},{(i % 25) / 10.0},{4 + (i % 39) / 10.0},{2 + (i % 22) / 10.0}\r\n");
            }
        }
        else
        {
            schema = Avro.Schema.Parse(MixedSchema);
            text.Append("id,name,amount,active,ref\r\n");
            for (int i = 0; i < Count; i++)
            {
                string name = i % 4 == 0 ? $"\"Smith, J{i % 7}\"" : $"customer {i % 97}";
                string reference = i % 3 == 0 ? "" : (1_000_000_000L + i).ToString(CultureInfo.InvariantCulture);
                text.Append(CultureInfo.InvariantCulture, $"{i},{name},{i * 1.25},{(i % 2 == 0 ? "true" : "false")},{reference}\r\n");
            }
        }

        _file = Encoding.UTF8.GetBytes(text.ToString());
        _encoding = new CsvRecordEncoding(CsvFormat.Default, CsvLayout.FromSchema(schema));
        _checker = new CsvSchemaChecker(_encoding.Format, _encoding.Layout);
        _options = CsvReaderOptions.Default with { Separator = ',', HasHeader = true };
    }

    /// <summary>CsvHelper's <c>GetRecords&lt;T&gt;</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public double CsvHelperGetRecords()
    {
        using CsvReader reader = CsvReader.Create(_file, _options);
        double sum = 0;
        if (Rows == "iris")
        {
            foreach (CsvIrisRow record in reader.GetRecords<CsvIrisRow>())
            {
                sum += record.PetalWidth;
            }
        }
        else
        {
            foreach (MixedRow record in reader.GetRecords<MixedRow>())
            {
                sum += record.Amount + record.Name.Length;
            }
        }

        return sum;
    }

    /// <summary>The delimited-csv envelope and the csv encoding (checked and decoded in one pass).</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public double FastScoreCsv() => Rows == "iris" ? Read<CsvIrisRow>(static r => r.PetalWidth) : Read<MixedRow>(static r => r.Amount + r.Name.Length);

    /// <summary>
    /// Interleaved timing for a loaded machine: <c>probe-csv [rounds]</c> runs both methods alternately and prints the
    /// fastest round of each (ns per row) and their ratio, for each row kind.
    /// </summary>
    public static void Probe(int rounds)
    {
        foreach (string rows in new[] { "iris", "mixed" })
        {
            var bench = new CsvDecodeBenchmark { Rows = rows };
            bench.Setup();
            double best0 = double.MaxValue, best1 = double.MaxValue;
            for (int r = 0; r < rounds; r++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (int i = 0; i < 200; i++)
                {
                    bench.CsvHelperGetRecords();
                }

                best0 = Math.Min(best0, watch.Elapsed.TotalNanoseconds / (200.0 * Count));
                watch.Restart();
                for (int i = 0; i < 200; i++)
                {
                    bench.FastScoreCsv();
                }

                best1 = Math.Min(best1, watch.Elapsed.TotalNanoseconds / (200.0 * Count));
            }

            if (Environment.GetEnvironmentVariable("CSV_PROBE_PARTS") == "1")
            {
                double frame = double.MaxValue;
                for (int r = 0; r < rounds; r++)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    for (int i = 0; i < 200; i++)
                    {
                        bench.FrameOnly();
                    }

                    frame = Math.Min(frame, watch.Elapsed.TotalNanoseconds / (200.0 * Count));
                }

                Console.WriteLine(FormattableString.Invariant($"{rows}: framing only {frame:F1} ns/row"));
                bench.Parts(rounds);
            }

            Console.WriteLine(FormattableString.Invariant($"{rows}: CsvHelper GetRecords {best0:F1} ns/row, FastScore csv {best1:F1} ns/row, speed-up {best0 / best1:F2}x"));
        }
    }

    private void Parts(int rounds)
    {
        string text = Encoding.UTF8.GetString(_file);
        byte[][] lines = [.. text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Encoding.UTF8.GetBytes)];
        IReadOnlyList<CsvColumn> columns = _encoding.Layout.Columns!;
        var fields = new CsvField[16];
        double split = double.MaxValue, decode = double.MaxValue, check = double.MaxValue, twoPass = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int k = 0; k < 100; k++)
            {
                foreach (byte[] line in lines)
                {
                    CsvRows.TrySplit(line, _encoding.Format, columns, fields, out _);
                }
            }

            split = Math.Min(split, watch.Elapsed.TotalNanoseconds / (100.0 * lines.Length));
            watch.Restart();
            for (int k = 0; k < 100; k++)
            {
                foreach (byte[] line in lines)
                {
                    _checker.TryCheck(line, out _);
                }
            }

            check = Math.Min(check, watch.Elapsed.TotalNanoseconds / (100.0 * lines.Length));
            watch.Restart();
            for (int k = 0; k < 100; k++)
            {
                foreach (byte[] line in lines)
                {
                    if (Rows == "iris")
                    {
                        _encoding.TryDecode(line, true, out CsvIrisRow _, out _);
                    }
                    else
                    {
                        _encoding.TryDecode(line, true, out MixedRow _, out _);
                    }
                }
            }

            decode = Math.Min(decode, watch.Elapsed.TotalNanoseconds / (100.0 * lines.Length));
            watch.Restart();
            for (int k = 0; k < 100; k++)
            {
                foreach (byte[] line in lines)
                {
                    // The two-pass way (split into fields, then read them): what the one-pass path replaced.
                    CsvRows.TrySplit(line, _encoding.Format, columns, fields, out _);
                    if (Rows == "iris")
                    {
                        _encoding.ReaderOf<CsvIrisRow>(columns).TryRead(line, fields, true, out _, out _);
                    }
                    else
                    {
                        _encoding.ReaderOf<MixedRow>(columns).TryRead(line, fields, true, out _, out _);
                    }
                }
            }

            twoPass = Math.Min(twoPass, watch.Elapsed.TotalNanoseconds / (100.0 * lines.Length));
        }

        Console.WriteLine(FormattableString.Invariant($"{Rows}: split {split:F1}, check {check:F1}, one-pass decode {decode:F1}, two-pass split+read (before) {twoPass:F1} ns/row"));
    }

    private int FrameOnly()
    {
        var framer = new DelimitedCsvFramer(_encoding.Format, _encoding.Layout);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_file));
        int n = 0;
        while (true)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            int used = 0;
            while (framer.TryFrameSpan(span[used..], out int consumed) is int length and >= 0)
            {
                n += length;
                used += consumed;
            }

            reader.Advance(used);
            FrameStatus status = framer.TryReadFrame(ref reader, true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return n;
            }
        }
    }

    private double Read<T>(Func<T, double> value)
    {
        var framer = new DelimitedCsvFramer(_encoding.Format, _encoding.Layout);
        CheckingDecoder<T> decoder = ((RecordEncoding)_encoding).CreateCheckingDecoderFor<T>(_checker);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_file));
        double sum = 0;
        while (true)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            int used = 0;
            while (framer.TryFrameSpan(span[used..], out int consumed) is int length and >= 0)
            {
                if (!decoder.TryDecodeValid(span.Slice(used, length), out T row))
                {
                    throw new InvalidOperationException("a row did not decode");
                }

                sum += value(row);
                used += consumed;
            }

            reader.Advance(used);
            FrameStatus status = framer.TryReadFrame(ref reader, true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return sum;
            }

            if (status == FrameStatus.Frame)
            {
                if (!decoder.TryDecodeValid(frame.IsSingleSegment ? frame.FirstSpan : frame.ToArray(), out T row))
                {
                    throw new InvalidOperationException("a row did not decode");
                }

                sum += value(row);
            }
        }
    }
}

/// <summary>Reaches the protected factory of checking decoders (as input streams do, through the library's internals).</summary>
internal static class CheckingDecoders
{
    public static CheckingDecoder<T> CreateCheckingDecoderFor<T>(this RecordEncoding encoding, SchemaChecker checker) =>
        ((CsvRecordEncoding)encoding).CreateCheckingDecoder<T>(checker) ?? throw new InvalidOperationException("no checking decoder");
}
