using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using CsCheck;
using FastScore.Streams.Encodings.Csv;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// The short-row way of the emitted CSV row reader (the row's field ends from one vector compare, each field parsed at
/// its known place, <see cref="CsvFieldReads.RowEnds"/>) against the field-by-field way and the general decode: on any
/// bytes, a row it takes is taken by both with the same length, the same bytes consumed and the same values (bit for
/// bit), and it never throws.
/// </summary>
public sealed class CsvKnownRowTests
{
    public sealed class Row
    {
        public int Id { get; set; }

        public string? Name { get; set; }

        public double Amount { get; set; }

        public bool Active { get; set; }

        public long? Ref { get; set; }

        public float Score { get; set; }
    }

    // Fields, not properties: the emitted reader stores into fields too.
#pragma warning disable CA1051 // the members under test are fields
    public sealed class Small
    {
        public float X;

        public int? N;

        public string Tag = "";
    }
#pragma warning restore CA1051

    /// <summary>Numbers and booleans only (a layout read one row per call by the field readers, not many per call).</summary>
    public sealed class Numbers
    {
        public float X { get; set; }

        public int? N { get; set; }

        public double D { get; set; }

        public bool B { get; set; }
    }

    private const string NumbersSchema = """
        {"type":"record","name":"N","fields":[{"name":"x","type":"float"},{"name":"n","type":["null","int"]},{"name":"d","type":"double"},{"name":"b","type":"boolean"}]}
        """;

    private const string Schema = """
        {"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"name","type":["null","string"]},{"name":"amount","type":"double"},
        {"name":"active","type":"boolean"},{"name":"ref","type":["null","long"]},{"name":"score","type":"float"}]}
        """;

    private const string SmallSchema = """
        {"type":"record","name":"S","fields":[{"name":"x","type":"float"},{"name":"n","type":["null","int"]},{"name":"tag","type":"string"}]}
        """;

    // The delimiter/quote pairs of CsvOnePassTests: the usual ones and bytes that can be part of a number or a boolean.
    private static readonly (char Delimiter, char Quote)[] s_formats =
    [
        (',', '"'), (';', '\''), ('\t', '"'), ('|', '\''), ('.', '"'), ('-', '"'), ('e', '"'), ('1', '\''), ('t', '"'), (',', '5'),
    ];

    // Short fields of every kind ('|' is the delimiter and '"' the quote, replaced per format).
    private static readonly Gen<string> s_field = Gen.OneOf(
        Gen.Int[-999, 99999].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[0, 999].Select(i => (i / 10.0).ToString(CultureInfo.InvariantCulture)),
        Gen.Float[-1e3f, 1e3f].Select(f => f.ToString("R", CultureInfo.InvariantCulture)),
        Gen.Double[-1e3, 1e3].Select(d => d.ToString("R", CultureInfo.InvariantCulture)),
        Gen.OneOf(Gen.Const("true"), Gen.Const("FALSE"), Gen.Const("tRuE"), Gen.Const("falsE"), Gen.Const(""), Gen.Const("\"\""), Gen.Const("\"7\""),
            Gen.Const("1e5"), Gen.Const("-0"), Gen.Const("-"), Gen.Const("1."), Gen.Const(".5"), Gen.Const("1.2.3"), Gen.Const("--1"), Gen.Const("0012"),
            Gen.Const("2147483648"), Gen.Const("-2147483648"), Gen.Const("123456789012345678"), Gen.Const("1234567890123456789"), Gen.Const("16777217"),
            Gen.Const("9007199254740993"), Gen.Const("0.1234567890123"), Gen.Const("é"), Gen.Const("a\rb"), Gen.Const("1\r"), Gen.Const(" 5 "), Gen.Const("+1"),
            Gen.Const("\u00ff"), Gen.Const("x\"y"), Gen.Const("NaN"), Gen.Const("Infinity"), Gen.Const("\"1.5\""), Gen.Const("\"true\""), Gen.Const("\"a|b\""),
            Gen.Const("\"a\"\"b\""), Gen.Const("\"a\"b"), Gen.Const("\"a\nb\""), Gen.Const("\"\r\""), Gen.Const("\"-\""), Gen.Const("\" 1\""), Gen.Const("\"x|\r\"")),
        Gen.String[Gen.Char["09a-.|\"e é\r\n"], 0, 6]);

    // Fields valid for the columns, in order (Row, then Small), so that valid rows are common.
    private static readonly Gen<string[]> s_validRow = Gen.Select(Gen.Int[-99999, 99999], Gen.String[Gen.Char["a-z é"], 0, 5], Gen.Int[-9999, 9999], Gen.Bool, Gen.Long[-99999, 99999].Nullable(), Gen.Int[0, 99999])
        .Select((id, name, amount, active, reference, score) => new[]
        {
            id.ToString(CultureInfo.InvariantCulture), name.Length % 2 == 1 ? "\"" + name.Replace('a', '|') + "\"" : name, (amount / 100.0).ToString(CultureInfo.InvariantCulture), active ? "true" : "False",
            reference?.ToString(CultureInfo.InvariantCulture) ?? "", (score / 1000f).ToString(CultureInfo.InvariantCulture),
        });

    private static readonly Gen<string[]> s_validSmall = Gen.Select(Gen.Int[-99999, 99999], Gen.Int[-999, 999].Nullable(), Gen.String[Gen.Char["a-z é"], 0, 5])
        .Select((x, n, tag) => new[]
        {
            (x / 100f).ToString(CultureInfo.InvariantCulture), n is { } i && i % 3 == 0 ? $"\"{i}\"" : n is null && x % 2 == 0 ? "\"\"" : n?.ToString(CultureInfo.InvariantCulture) ?? "",
            tag.Length % 3 == 1 ? "\"" + tag.Replace('b', '|') + "\"" : tag.Length % 3 == 2 ? "\"\"" : tag,
        });

    /// <summary>A case: the format, the row type, the bytes (a row, its line end, more bytes after it).</summary>
    public sealed record Input(int Format, bool Small, byte[] Bytes)
    {
        public override string ToString() =>
            $"format {Format}, small {Small}: {Encoding.UTF8.GetString(Bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}";
    }

    private static readonly Gen<Input> s_case = Gen.Select(Gen.Int[0, s_formats.Length - 1], Gen.Bool, Gen.Frequency((1, s_field.Array[2, 7]), (1, s_validRow), (1, s_validSmall)), Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const(""), Gen.Const("\r\r\n")),
            Gen.Frequency((3, Gen.Int[40, 90]), (1, Gen.Int[0, 40])), Gen.String[Gen.Char["09a,.|\"\r\n"], 0, 8])
        .Select((format, small, fields, end, tail, filler) =>
        {
            (char delimiter, char quote) = s_formats[format];
            // Rows of the right field count most of the time, so that the short-row way is taken often.
            int count = small ? 3 : 6;
            string[] row = fields.Length > count && fields.Length % 2 != 0 ? fields[..count] : fields;
            string text = string.Join('|', row).Replace("\"", "\u0001", StringComparison.Ordinal).Replace('|', delimiter).Replace('\u0001', quote) + end;
            var bytes = new StringBuilder(text);
            while (bytes.Length < text.Length + tail)
            {
                bytes.Append(filler.Length == 0 ? "1" : filler);
            }

            return new Input(format, small, Encoding.UTF8.GetBytes(bytes.ToString(0, text.Length + tail)));
        });

    [Test]
    public void The_short_row_way_takes_what_the_field_readers_take_with_the_same_values()
    {
        int known = 0;
        s_case.Sample(c =>
        {
            (char delimiter, char quote) = s_formats[c.Format];
            var format = new CsvFormat(delimiter.ToString(), quote);
            if (c.Small)
            {
                known += Compare<Small>(c, format, SmallSchema, s => $"{Bits(s.X)}|{s.N}|{s.Tag}");
            }
            else
            {
                known += Compare<Row>(c, format, Schema, r => $"{r.Id}|{r.Name ?? "<null>"}|{Bits(r.Amount)}|{r.Active}|{r.Ref}|{Bits(r.Score)}");
            }
        }, seed: "0Kn0wnR0ws01", iter: 30_000, threads: 1);
        if (!Vector256.IsHardwareAccelerated)
        {
            Assert.That(known, Is.Zero, "without 256-bit vectors the short-row way takes no row");
            return;
        }

        Assert.That(known & 0xFFFF, Is.GreaterThan(1_000), $"the short-row way takes many rows ({known & 0xFFFF} without quotes, {known >> 16} with)");
        Assert.That(known >> 16, Is.GreaterThan(1_500), $"and many with quoted fields ({known >> 16})");
    }

    // Several rows, each valid for one of the three layouts or made of random fields, with random line ends.
    private static readonly Gen<string[]> s_validNumbers = Gen.Select(Gen.Int[-9999, 9999], Gen.Int[-99, 99].Nullable(), Gen.Int[-99999, 99999], Gen.Bool)
        .Select((x, n, d, b) => new[] { (x / 100f).ToString(CultureInfo.InvariantCulture), n?.ToString(CultureInfo.InvariantCulture) ?? "", (d / 1000.0).ToString(CultureInfo.InvariantCulture), b ? "TRUE" : "false" });

    // Rows valid for the layout, with one other row (random fields, a control row, an empty row, a quoted first field) put
    // in somewhere, and random line ends.
    private static readonly Gen<(int Format, int Layout, string[] Rows, string[] Ends, int Max)> s_rows = Gen.Select(Gen.Int[0, s_formats.Length - 1], Gen.Int[0, 2],
            Gen.Select(s_validRow.Array[0, 30], s_validSmall.Array[0, 30], s_validNumbers.Array[0, 30]),
            Gen.OneOf(s_field.Array[2, 7], Gen.Const(new[] { "$fastscore", "1" }), Gen.Const(new[] { "" }), Gen.Const(new[] { "\"1\"", "2", "3", "4" })), Gen.Int[0, 40],
            Gen.OneOf(Gen.Const("\n"), Gen.Const("\r\n"), Gen.Const("\r\r\n")).Array[32], Gen.Frequency((5, Gen.Const(4096)), (1, Gen.Int[1, 40])))
        .Select((format, layout, valid, other, at, ends, max) =>
        {
            List<string[]> rows = [.. layout switch { 0 => valid.Item1, 1 => valid.Item2, _ => valid.Item3 }];
            if (at <= rows.Count)
            {
                rows.Insert(at, other);
            }

            return (format, layout, rows.Select(r => string.Join('|', r)).ToArray(), ends, max);
        });

    [Test]
    public void Rows_read_many_per_call_are_the_rows_read_one_by_one()
    {
        int many = 0;
        s_rows.Sample(c =>
        {
            (char delimiter, char quote) = s_formats[c.Format];
            var format = new CsvFormat(delimiter.ToString(), quote);
            var text = new StringBuilder();
            for (int i = 0; i < c.Rows.Length; i++)
            {
                text.Append(c.Rows[i]).Append(c.Ends[i]);
            }

            byte[] bytes = Encoding.UTF8.GetBytes(text.ToString().Replace("\"", "\u0001", StringComparison.Ordinal).Replace('|', delimiter).Replace('\u0001', quote));
            string show = $"format {c.Format}, layout {c.Layout}, max {c.Max}: {Encoding.UTF8.GetString(bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}";
            many += c.Layout switch
            {
                0 => Many<Row>(bytes, format, Schema, c.Max, r => $"{r.Id}|{r.Name ?? "<null>"}|{Bits(r.Amount)}|{r.Active}|{r.Ref}|{Bits(r.Score)}", show),
                1 => Many<Small>(bytes, format, SmallSchema, c.Max, s => $"{Bits(s.X)}|{s.N}|{s.Tag}", show),
                _ => Many<Numbers>(bytes, format, NumbersSchema, c.Max, n => $"{Bits(n.X)}|{n.N}|{Bits(n.D)}|{n.B}", show),
            };
        }, seed: "0M4nyR0ws002", iter: 6_000, threads: 1);
        // Rows up to 64 bytes with 512-bit vectors, up to 32 with 256-bit ones (fewer of the generated rows), none without.
        Assert.That(many, Vector512.IsHardwareAccelerated ? Is.GreaterThan(10_000) : Vector256.IsHardwareAccelerated ? Is.GreaterThan(2_000) : Is.Zero, "many rows are read many per call");
    }

    // TryFrameReadMany against TryFrameRead (the field readers alone) row after row: the same rows, lengths, ends and values.
    private static int Many<T>(byte[] bytes, CsvFormat format, string schema, int max, Func<T, string> show, string c)
    {
        CsvEmittedReader<T> reader = ReaderOf<T>(format, schema);
        byte delimiter = format.Delimiter[0];
        byte quote = format.Quote;
        var values = new T?[64];
        int[] lengths = new int[64];
        int[] ends = new int[64];
        int n = reader.TryFrameReadMany(bytes, delimiter, quote, max, values, lengths, ends, 64);
        if (!reader.ReadsMany)
        {
            Assert.That(n, Is.Zero, "a layout without a string column is read one row per call");
            return 0;
        }

        int at = 0;
        for (int i = 0; i < n; i++)
        {
            int length = reader.TryFrameRead(bytes.AsSpan(at), delimiter, quote, known: false, out T? one, out int consumed);
            Assert.That(length, Is.EqualTo(lengths[i]), c);
            Assert.That(at + consumed, Is.EqualTo(ends[i]), c);
            Assert.That(show(values[i]!), Is.EqualTo(show(one!)), c);
            Assert.That(length, Is.InRange(1, max), c);
            Assert.That(bytes[at], Is.Not.EqualTo((byte)'$').And.Not.EqualTo(quote), c);
            at = ends[i];
        }

        return n;
    }

    [Test]
    public void Short_rows_take_the_short_row_way_and_long_or_quoted_ones_do_not()
    {
        var format = new CsvFormat(",", '"');
        CsvEmittedReader<Row> reader = ReaderOf<Row>(format, Schema);
        byte[] pad = Encoding.ASCII.GetBytes(new string('9', 64));
        foreach ((string row, bool taken) in new[]
        {
            ("1,abc,2.5,true,,0.25\r\n", true),
            ("1,,2.5,TRUE,7,-1\n", true),
            ("1,\"a,c\",2.5,true,\"\",\"0.25\"\r\n", true), // plain quoted fields
            ("1,\"a\"\"c\",2.5,true,,0.25\r\n", false), // a doubled quote: the field readers
            ("1,\"a\nc\",2.5,true,,0.25\r\n", false), // a line feed inside quotes
            ("1,a\"c,2.5,true,,0.25\r\n", false), // a quote inside a field
            ("1,abc,2.5,true,0.25\r\n", false), // five fields
            ("1,abc,2.5,true,,0.25,\r\n", false), // seven
            ("1," + new string('a', 60) + ",2.5,true,,0.25\r\n", false), // longer than the vector
            ("1,abc,2.5,true,,0.25", false), // no line feed
        })
        {
            byte[] span = [.. Encoding.UTF8.GetBytes(row), .. pad];
            int length = reader.TryFrameRead(span, (byte)',', (byte)'"', out Row? value, out int consumed);
            int knownLength = reader.TryFrameRead(span, (byte)',', (byte)'"', known: true, out _, out _);
            int general = reader.TryFrameRead(span, (byte)',', (byte)'"', known: false, out Row? other, out int otherConsumed);
            Assert.Multiple(() =>
            {
                Assert.That(length, Is.EqualTo(general), row);
                Assert.That(consumed, Is.EqualTo(otherConsumed), row);
                Assert.That(value?.Name, Is.EqualTo(other?.Name), row);
                Assert.That(knownLength, Is.EqualTo(length), row);
            });
            if (taken && Vector256.IsHardwareAccelerated && (row.Length <= 32 || Vector512.IsHardwareAccelerated))
            {
                Assert.That(CountKnown(reader, span), Is.EqualTo(1), row);
            }
            else
            {
                Assert.That(CountKnown(reader, span), Is.Zero, row);
            }
        }
    }

    // Whether the short-row way alone takes the row.
    private static int CountKnown<T>(CsvEmittedReader<T> reader, byte[] span) => reader.TryKnownRead(span, (byte)',', (byte)'"', out _, out _) ? 1 : 0;

    private static string Bits(float f) => BitConverter.SingleToInt32Bits(f).ToString("X8", CultureInfo.InvariantCulture);

    private static string Bits(double d) => BitConverter.DoubleToInt64Bits(d).ToString("X16", CultureInfo.InvariantCulture);

    private static CsvEmittedReader<T> ReaderOf<T>(CsvFormat format, string schema)
    {
        var encoding = new CsvRecordEncoding(format, CsvLayout.FromSchema(Avro.Schema.Parse(schema)));
        return (encoding.ReaderOf<T>(encoding.Layout.Columns!) as ReflectionReader<T>)?.Emitted ?? throw new InvalidOperationException("no emitted reader");
    }

    private static int Compare<T>(Input c, CsvFormat format, string schema, Func<T, string> show)
    {
        CsvEmittedReader<T> reader = ReaderOf<T>(format, schema);
        var encoding = new CsvRecordEncoding(format, CsvLayout.FromSchema(Avro.Schema.Parse(schema)));
        byte delimiter = format.Delimiter[0];
        byte quote = format.Quote;
        bool taken = reader.TryKnownRead(c.Bytes, delimiter, quote, out T? known, out int knownConsumed);
        int length = reader.TryFrameRead(c.Bytes, delimiter, quote, out T? value, out int consumed);
        int general = reader.TryFrameRead(c.Bytes, delimiter, quote, known: false, out T? other, out int otherConsumed);
        Assert.That(length, Is.EqualTo(general), c.ToString());
        Assert.That(consumed, Is.EqualTo(otherConsumed), c.ToString());
        if (general >= 0)
        {
            Assert.That(show(value!), Is.EqualTo(show(other!)), c.ToString());

            // And the general decode of the framed row (split, check, read) gives the same values.
            Assert.That(encoding.TryDecode(c.Bytes.AsSpan(0, general), true, out T decoded, out _), Is.True, c.ToString());
            Assert.That(show(decoded), Is.EqualTo(show(other!)), c.ToString());
        }

        if (!taken)
        {
            return 0;
        }

        Assert.That(general, Is.GreaterThanOrEqualTo(0), "the short-row way took a row the field readers do not: " + c);
        Assert.That(knownConsumed, Is.EqualTo(otherConsumed), c.ToString());
        Assert.That(show(known!), Is.EqualTo(show(other!)), c.ToString());
        return c.Bytes.AsSpan(0, knownConsumed).Contains(quote) ? 1 << 16 : 1; // rows with quoted fields counted apart
    }
}
