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

    /// <summary>Gets or sets a value indicating whether the decoder may find the rows' ends itself (as input streams let it); false: the framer frames every row first (the way before).</summary>
    public bool Fused { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the decoder may decode many rows per call (as input streams let it).</summary>
    public bool Many { get; set; } = true;

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
    /// Interleaved timing for a loaded machine: <c>probe-csv [rounds]</c> runs CsvHelper, the input stream's way and the
    /// way before the fused path (the framer frames every row first) alternately and prints, per row kind, the best and
    /// the median round of each (ns per row) and their ratios.
    /// </summary>
    public static void Probe(int rounds)
    {
        foreach (string rows in new[] { "iris", "mixed" })
        {
            var bench = new CsvDecodeBenchmark { Rows = rows };
            bench.Setup();
            // CSV_PROBE_ONE_ROW=1: the third column is the fused path one row per call (the way before TryDecodeLineRows).
            bool oneRow = Environment.GetEnvironmentVariable("CSV_PROBE_ONE_ROW") == "1";
            var framed = oneRow ? new CsvDecodeBenchmark { Rows = rows, Many = false } : new CsvDecodeBenchmark { Rows = rows, Fused = false };
            framed.Setup();
            // A round: each method times 30 single passes over the file (1,000 rows, tens of microseconds each, so one is
            // seldom cut by the scheduler on a loaded machine) and keeps its fastest; the methods alternate pass by pass.
            var times = new List<double>[] { [], [], [] };
            Func<double>[] methods = [bench.CsvHelperGetRecords, bench.FastScoreCsv, framed.FastScoreCsv];
            for (int warm = 0; warm < 3; warm++)
            {
                // Tiered compilation: enough calls for every method's code to reach tier 1, and time for the background
                // compiler (slow on a loaded machine) to install it, before anything is timed.
                foreach (Func<double> method in methods)
                {
                    for (int i = 0; i < 200; i++)
                    {
                        method();
                    }
                }

                Thread.Sleep(300);
            }

            for (int r = 0; r <= rounds; r++)
            {
                double[] fastest = [double.MaxValue, double.MaxValue, double.MaxValue];
                for (int pass = 0; pass < 30; pass++)
                {
                    for (int m = 0; m < methods.Length; m++)
                    {
                        long start = System.Diagnostics.Stopwatch.GetTimestamp();
                        methods[m]();
                        fastest[m] = Math.Min(fastest[m], System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalNanoseconds / Count);
                    }
                }

                for (int m = 0; r > 0 && m < methods.Length; m++)
                {
                    times[m].Add(fastest[m]); // round 0 warms up
                }
            }

            double[] best = [.. times.Select(t => t.Min())];
            double[] median = [.. times.Select(t => t.Order().ElementAt(t.Count / 2))];
            Console.WriteLine(FormattableString.Invariant(
                $"{rows}: CsvHelper GetRecords {best[0]:F1} ns/row (median {median[0]:F1}), FastScore csv {best[1]:F1} (median {median[1]:F1}), speed-up best {best[0] / best[1]:F2}x, median {median[0] / median[1]:F2}x; {(oneRow ? "one row per call" : "framer first (before)")} {best[2]:F1} (median {median[2]:F1}), {best[0] / best[2]:F2}x"));
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
        }
    }

    /// <summary>
    /// For a sampling profiler (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>): <c>profile-csv iris|mixed [seconds]
    /// [csvhelper]</c> runs one method alone for that long and prints its ns per row.
    /// </summary>
    public static void Profile(string rows, int seconds, bool csvHelper)
    {
        var bench = new CsvDecodeBenchmark { Rows = rows };
        bench.Setup();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        long n = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 100; i++)
            {
                _ = csvHelper ? bench.CsvHelperGetRecords() : bench.FastScoreCsv();
            }

            n += 100;
        }

        Console.WriteLine(FormattableString.Invariant($"{rows}: {(csvHelper ? "CsvHelper" : "FastScore")} {watch.Elapsed.TotalNanoseconds / (n * Count):F1} ns/row"));
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

    // As InputStream.DrainFrames: many rows per call when the decoder reads them (DecodesLineRows), else one per call.
    // (Asked once per benchmark: an input stream asks its decoder once per buffer.)
    private double Read<T>(Func<T, double> value) =>
        Fused && Many && (_decodesLineRows ??= ((RecordEncoding)_encoding).CreateCheckingDecoderFor<T>(_checker).DecodesLineRows) ? ReadMany(value) : ReadOneByOne(value);

    private bool? _decodesLineRows;

    // Rows one per call (the decoder reads none many per call, or Many is off): as InputStream.DrainFrames then runs.
    private double ReadOneByOne<T>(Func<T, double> value)
    {
        var framer = new DelimitedCsvFramer(_encoding.Format, _encoding.Layout);
        CheckingDecoder<T> decoder = ((RecordEncoding)_encoding).CreateCheckingDecoderFor<T>(_checker);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_file));
        double sum = 0;
        while (true)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            int used = 0;

            // As InputStream.DrainFrames: the decoder finds the row's end itself where the framer allows (CsvLineRows).
            CsvFormat? rows = Fused ? framer.CsvLineRows : null;
            while (true)
            {
                T row;
                if (rows is not null && decoder.TryDecodeLineRow(span[used..], rows, framer.MaxRecordSize, out int taken, out row) >= 0)
                {
                    sum += value(row);
                    used += taken;
                    continue;
                }

                if (framer.TryFrameSpan(span[used..], out int consumed) is not (int length and >= 0))
                {
                    break;
                }

                if (!decoder.TryDecodeValid(span.Slice(used, length), out row))
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

    private double ReadMany<T>(Func<T, double> value)
    {
        var framer = new DelimitedCsvFramer(_encoding.Format, _encoding.Layout);
        CheckingDecoder<T> decoder = ((RecordEncoding)_encoding).CreateCheckingDecoderFor<T>(_checker);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_file));
        double sum = 0;
        var values = new T[64]; // as the input stream's buffers
        int[] lengths = new int[64];
        int[] ends = new int[64];
        while (true)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            int used = 0;

            // As InputStream.DrainFrames: the decoder finds the row's end itself where the framer allows (CsvLineRows).
            CsvFormat? rows = Fused ? framer.CsvLineRows : null;
            bool many = rows is not null && Many && decoder.DecodesLineRows;
            while (true)
            {
                T row;
                if (many && decoder.TryDecodeLineRows(span[used..], rows!, framer.MaxRecordSize, values, lengths, ends, values.Length) is int n and > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        sum += value(values[i]);
                    }

                    used += ends[n - 1];
                    continue;
                }

                if (rows is not null && decoder.TryDecodeLineRow(span[used..], rows, framer.MaxRecordSize, out int taken, out row) >= 0)
                {
                    sum += value(row);
                    used += taken;
                    continue;
                }

                if (framer.TryFrameSpan(span[used..], out int consumed) is not (int length and >= 0))
                {
                    break;
                }

                if (!decoder.TryDecodeValid(span.Slice(used, length), out row))
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
