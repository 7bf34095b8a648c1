using System.Text;
using CsCheck;
using CsvField = FastScore.Streams.Encodings.Csv.CsvField;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// The one-pass POCO path (split, check and read each field straight into its member) against the two-pass way (split,
/// then check and read): on any row both accept the same rows with the same values, and neither throws.
/// </summary>
public sealed class CsvOnePassTests
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

    private const string Schema = """
        {"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"name","type":["null","string"]},{"name":"amount","type":"double"},
        {"name":"active","type":"boolean"},{"name":"ref","type":["null","long"]},{"name":"score","type":"float"}]}
        """;

    private static readonly Gen<string> s_field = Gen.OneOf(
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf(Gen.Const("true"), Gen.Const("FALSE"), Gen.Const(""), Gen.Const("\"\""), Gen.Const("\"7\""), Gen.Const("\"a,\"\"b\""), Gen.Const("1e5"), Gen.Const("x\"y"),
            Gen.Const("\"open"), Gen.Const("\"c\"d"), Gen.Const("é"), Gen.Const("12345678901")),
        Gen.String[Gen.Char["09a-.,\"e é"], 0, 6]);

    // Rows that are valid for the schema: without them, acceptance is rare among random rows (a few in 20,000), and
    // the property would say little about the accepting path.
    private static readonly Gen<byte[]> s_validRow = Gen.Select(Gen.Int, Gen.String[Gen.Char["a-z ,\"é"], 0, 6], Gen.Double[-1e6, 1e6], Gen.Bool, Gen.Long.Nullable(), Gen.Float[-1e3f, 1e3f])
        .Select((id, name, amount, active, reference, score) => Encoding.UTF8.GetBytes(string.Join(',',
            id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
            amount.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            active ? "true" : "false",
            reference?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            score.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));

    private static readonly Gen<byte[]> s_row = Gen.OneOf(
        s_validRow,
        s_field.Array[4, 8].Select(fields => Encoding.UTF8.GetBytes(string.Join(',', fields))),
        Gen.Byte.Array[0, 24],
        s_field.Array[6].Select(fields => Encoding.UTF8.GetBytes(string.Join(',', fields)).Append((byte)0xC3).ToArray()));

    [Test]
    public void One_pass_and_two_pass_decoding_agree_on_any_row()
    {
        var encoding = new CsvRecordEncoding(CsvFormat.Default, CsvLayout.FromSchema(Avro.Schema.Parse(Schema)));
        IReadOnlyList<CsvColumn> columns = encoding.Layout.Columns!;
        CsvPocoReader<Row> reader = encoding.ReaderOf<Row>(columns);
        int accepted = 0;
        s_row.Sample(row =>
        {
            bool onePass = reader.TryReadRow(row, encoding.Format, out Row one);
            var fields = new CsvField[16];
            bool twoPass = CsvRows.TrySplit(row, encoding.Format, columns, fields, out RecordRejection _)
                && reader.TryRead(row, fields, validate: true, out Row two, out _)
                && Same(one, two, onePass);
            Assert.That(onePass, Is.EqualTo(twoPass), Encoding.UTF8.GetString(row));
            Assert.That(onePass, Is.EqualTo(CsvRows.TryCheck(row, encoding.Format, columns, out _)), Encoding.UTF8.GetString(row));
            accepted += onePass ? 1 : 0;
        }, seed: "0N2Yd8gJfPM7", iter: 20000, threads: 1);
        Assert.That(accepted, Is.GreaterThan(1000)); // about a quarter of the rows are valid ones
    }

    // Delimiters and quotes that can be part of a number or a boolean ('.', '-', digits, letters) turn the field readers'
    // parse-while-scanning off; the usual ones keep it on. Both ways must still agree with the two-pass way.
    private static readonly (string Delimiter, char Quote)[] s_formats =
        [(",", '"'), (";", '\''), ("\t", '"'), (".", '"'), ("-", '\''), ("e", '"'), ("1", '"'), (",", '-'), (",", 't'), (",", '5')];

    private static readonly Gen<string> s_numberish = Gen.OneOf(
        s_field,
        Gen.String[Gen.Char["0123456789.-eEtrufalsTRUEFALS\"';,\t"], 0, 8],
        Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Float.Select(f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf(Gen.Const("-"), Gen.Const("."), Gen.Const("1."), Gen.Const(".5"), Gen.Const("-.5"), Gen.Const("--1"), Gen.Const("1.2.3"), Gen.Const("True"),
            Gen.Const("fAlSe"), Gen.Const("truee"), Gen.Const("123456789012345678"), Gen.Const("1234567890123456789"), Gen.Const("16777217"), Gen.Const("2147483648"),
            Gen.Const("-2147483648"), Gen.Const("9007199254740993"), Gen.Const("0.30000000000000004")));

    [Test]
    public void Parsing_while_scanning_agrees_with_the_two_pass_way_for_any_delimiter_and_quote()
    {
        int accepted = 0;
        foreach ((string delimiter, char quote) in s_formats)
        {
            var encoding = new CsvRecordEncoding(new CsvFormat(delimiter, quote), CsvLayout.FromSchema(Avro.Schema.Parse(Schema)));
            IReadOnlyList<CsvColumn> columns = encoding.Layout.Columns!;
            CsvPocoReader<Row> reader = encoding.ReaderOf<Row>(columns);
            s_numberish.Array[5, 7].Sample(fields =>
            {
                byte[] row = Encoding.UTF8.GetBytes(string.Join(delimiter, fields));
                bool onePass = reader.TryReadRow(row, encoding.Format, out Row one);
                var split = new CsvField[16];
                bool twoPass = CsvRows.TrySplit(row, encoding.Format, columns, split, out RecordRejection _)
                    && reader.TryRead(row, split, validate: true, out Row two, out _)
                    && Same(one, two, onePass);
                Assert.That(onePass, Is.EqualTo(twoPass), $"{delimiter} {quote}: {Encoding.UTF8.GetString(row)}");
                Assert.That(onePass, Is.EqualTo(CsvRows.TryCheck(row, encoding.Format, columns, out _)), $"{delimiter} {quote}: {Encoding.UTF8.GetString(row)}");
                accepted += onePass ? 1 : 0;
            }, seed: "0N2Yd8gJfPM7", iter: 5000, threads: 1);
        }

        Assert.That(accepted, Is.GreaterThan(0));
    }

    [Test]
    public void Numbers_and_booleans_read_while_scanning_have_the_values_of_the_general_way()
    {
        var encoding = new CsvRecordEncoding(CsvFormat.Default, CsvLayout.FromSchema(Avro.Schema.Parse(Schema)));
        CsvPocoReader<Row> reader = encoding.ReaderOf<Row>(encoding.Layout.Columns!);
        Assert.That(reader.TryReadRow("-12,x,-0.5,FALSE,123456789012345678,5.6000004"u8, encoding.Format, out Row row), Is.True);
        Assert.That((row.Id, row.Name, row.Amount, row.Active, row.Ref, row.Score), Is.EqualTo((-12, "x", -0.5, false, (long?)123456789012345678, 5.6000004f)));
        Assert.That(reader.TryReadRow("2147483647,,1e3,True,\"\",16777217"u8, encoding.Format, out row), Is.True);
        Assert.That((row.Id, row.Name, row.Amount, row.Active, row.Ref, row.Score), Is.EqualTo((int.MaxValue, (string?)null, 1000.0, true, (long?)null, 16777216f)));
        Assert.That(reader.TryReadRow("2147483648,,1,true,,1"u8, encoding.Format, out _), Is.False);
        Assert.That(reader.TryReadRow("1,,1.,true,,1"u8, encoding.Format, out _), Is.True); // "1." is a double for .NET
        Assert.That(reader.TryReadRow("1,,1,truex,,1"u8, encoding.Format, out _), Is.False);
        Assert.That(reader.TryReadRow("1,,1,true,,1,"u8, encoding.Format, out _), Is.False);
    }

    [Test]
    public void A_valid_row_is_read_in_one_pass_with_its_values()
    {
        var encoding = new CsvRecordEncoding(CsvFormat.Default, CsvLayout.FromSchema(Avro.Schema.Parse(Schema)));
        CsvPocoReader<Row> reader = encoding.ReaderOf<Row>(encoding.Layout.Columns!);
        Assert.That(reader.TryReadRow("7,\"Smith, \"\"J\"\"\",1.25,true,,2.5"u8, encoding.Format, out Row row), Is.True);
        Assert.That((row.Id, row.Name, row.Amount, row.Active, row.Ref, row.Score), Is.EqualTo((7, "Smith, \"J\"", 1.25, true, (long?)null, 2.5f)));
        Assert.That(reader.TryReadRow("7,,1.25,true,9,2.5,extra"u8, encoding.Format, out _), Is.False);
        Assert.That(reader.TryReadRow("7,,1.25,true,9"u8, encoding.Format, out _), Is.False);
    }

    public sealed class NullableRow
    {
        public int? I { get; set; }

        public long? L { get; set; }

        public float? F { get; set; }

        public double? D { get; set; }

        public bool? B { get; set; }
    }

    [Test]
    public void Nullable_members_of_every_type_read_in_one_pass_as_in_two()
    {
        const string Nullables = """
            {"type":"record","name":"N","fields":[{"name":"i","type":["null","int"]},{"name":"l","type":["null","long"]},{"name":"f","type":["null","float"]},
            {"name":"d","type":["null","double"]},{"name":"b","type":["null","boolean"]}]}
            """;
        var encoding = new CsvRecordEncoding(CsvFormat.Default, CsvLayout.FromSchema(Avro.Schema.Parse(Nullables)));
        IReadOnlyList<CsvColumn> columns = encoding.Layout.Columns!;
        CsvPocoReader<NullableRow> reader = encoding.ReaderOf<NullableRow>(columns);
        Assert.That(reader.TryReadRow("1,,\"2.5\",\"\",TRUE"u8, encoding.Format, out NullableRow row), Is.True);
        Assert.That((row.I, row.L, row.F, row.D, row.B), Is.EqualTo(((int?)1, (long?)null, (float?)2.5f, (double?)null, (bool?)true)));
        int accepted = 0;
        Gen.OneOf(s_numberish, Gen.OneOf(Gen.Const(""), Gen.Const("\"\""), Gen.Const("\"12\""), Gen.Const("\"x\""), Gen.Const("false"), Gen.Const("\"true\"")))
            .Array[4, 6].Sample(fields =>
            {
                byte[] bytes = Encoding.UTF8.GetBytes(string.Join(',', fields));
                bool onePass = reader.TryReadRow(bytes, encoding.Format, out NullableRow one);
                var split = new CsvField[16];
                bool twoPass = CsvRows.TrySplit(bytes, encoding.Format, columns, split, out RecordRejection _)
                    && reader.TryRead(bytes, split, validate: true, out NullableRow two, out _)
                    && (!onePass || (one.I == two.I && one.L == two.L && one.F.Equals(two.F) && one.D.Equals(two.D) && one.B == two.B));
                Assert.That(onePass, Is.EqualTo(twoPass), Encoding.UTF8.GetString(bytes));
                accepted += onePass ? 1 : 0;
            }, seed: "0N2Yd8gJfPM7", iter: 20000, threads: 1);
        Assert.That(accepted, Is.GreaterThan(100));
    }

    private static bool Same(Row one, Row two, bool onePass) =>
        !onePass || (one.Id == two.Id && one.Name == two.Name && BitConverter.DoubleToInt64Bits(one.Amount) == BitConverter.DoubleToInt64Bits(two.Amount)
            && one.Active == two.Active && one.Ref == two.Ref && BitConverter.SingleToInt32Bits(one.Score) == BitConverter.SingleToInt32Bits(two.Score));
}
