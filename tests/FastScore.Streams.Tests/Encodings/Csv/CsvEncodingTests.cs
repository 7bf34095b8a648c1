using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Encodings.Csv;

public sealed class CsvEncodingTests
{
    internal const string Schema = """
        {"type":"record","name":"Row","fields":[
          {"name":"id","type":"int"},{"name":"big","type":"long"},{"name":"score","type":"float"},{"name":"ratio","type":"double"},
          {"name":"ok","type":"boolean"},{"name":"name","type":"string"},{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}},
          {"name":"note","type":["null","string"]},{"name":"count","type":["null","int"]}]}
        """;

    public enum Color { Red, Green }

    public sealed class Row
    {
        public int Id { get; set; }
        public long Big { get; set; }
        public float Score { get; set; }
        public double Ratio { get; set; }
        public bool Ok { get; set; }
        public string Name { get; set; } = "";
        public Color Color { get; set; }
        public string? Note { get; set; }
        public int? Count { get; set; }
    }

    public sealed class SomeColumns
    {
        [JsonPropertyName("name")]
        public string Label { get; set; } = "";
        public double Score { get; set; }
    }

    private static CsvRecordEncoding Encoding(string? schema = Schema, CsvFormat? format = null) =>
        new(format ?? CsvFormat.Default, schema is null ? CsvLayout.FromHeader() : CsvLayout.FromSchema(Avro.Schema.Parse(schema)));

    private static byte[] Bytes(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static string Encode<T>(CsvRecordEncoding encoding, T value)
    {
        var output = new ArrayBufferWriter<byte>();
        encoding.Encode(value, output);
        return System.Text.Encoding.UTF8.GetString(output.WrittenSpan);
    }

    public sealed class SharedLayoutRow
    {
        public string Name { get; set; } = "";
        public int Id { get; set; }
        public float Score { get; set; }
    }

    [Test]
    public void Streams_of_one_layout_share_the_emitted_row_reader_and_keep_their_own_values()
    {
        const string NameFirst = """{"type":"record","name":"S","fields":[{"name":"name","type":"string"},{"name":"id","type":"int"},{"name":"score","type":"float"}]}""";
        const string IdFirst = """{"type":"record","name":"S","fields":[{"name":"id","type":"int"},{"name":"name","type":"string"},{"name":"score","type":"float"}]}""";
        CsvRecordEncoding first = Encoding(NameFirst), second = Encoding(NameFirst), swapped = Encoding(IdFirst);

        SharedLayoutRow a = first.Decode<SharedLayoutRow>(Bytes("x,1,1.5"));
        SharedLayoutRow b = second.Decode<SharedLayoutRow>(Bytes("y,2,2.5"));
        SharedLayoutRow c = swapped.Decode<SharedLayoutRow>(Bytes("3,z,3.5"));
        SharedLayoutRow d = first.Decode<SharedLayoutRow>(Bytes("x,4,4.5"));

        Assert.Multiple(() =>
        {
            Assert.That((a.Name, a.Id, a.Score), Is.EqualTo(("x", 1, 1.5f)));
            Assert.That((b.Name, b.Id, b.Score), Is.EqualTo(("y", 2, 2.5f)));
            Assert.That((c.Name, c.Id, c.Score), Is.EqualTo(("z", 3, 3.5f)));
            Assert.That((d.Name, d.Id, d.Score), Is.EqualTo(("x", 4, 4.5f)));
            Assert.That(CsvEmittedReader<SharedLayoutRow>.SharedLayouts, Is.EqualTo(2), "one pair of emitted methods per layout, not per stream");
            Assert.Throws<StreamFormatException>(() => second.Decode<SharedLayoutRow>(Bytes("y,not a number,2.5")));
        });
    }

    [Test]
    public void A_row_decodes_to_a_poco_typed_by_the_schema()
    {
        Row row = Encoding().Decode<Row>(Bytes("7,12345678901,1.5,-2.25e3,TRUE,\"Smith, J\",GREEN,,"));
        Assert.Multiple(() =>
        {
            Assert.That(row.Id, Is.EqualTo(7));
            Assert.That(row.Big, Is.EqualTo(12345678901L));
            Assert.That(row.Score, Is.EqualTo(1.5f));
            Assert.That(row.Ratio, Is.EqualTo(-2250.0));
            Assert.That(row.Ok, Is.True);
            Assert.That(row.Name, Is.EqualTo("Smith, J"));
            Assert.That(row.Color, Is.EqualTo(Color.Green));
            Assert.That(row.Note, Is.Null);
            Assert.That(row.Count, Is.Null);
        });
    }

    [Test]
    public void A_row_decodes_to_json_with_nulls_for_empty_nullable_fields_and_a_quoted_empty_string_as_empty()
    {
        JsonElement json = Encoding().Decode<JsonElement>(Bytes("1,2,0.5,0.25,false,\"a \"\"b\"\"\",RED,\"\",3"));
        Assert.That(json.GetRawText(), Is.EqualTo("""{"id":1,"big":2,"score":0.5,"ratio":0.25,"ok":false,"name":"a \u0022b\u0022","color":"RED","note":"","count":3}"""));
        Assert.That(json.GetProperty("name").GetString(), Is.EqualTo("a \"b\""));
        JsonNode node = Encoding().Decode<JsonNode>(Bytes("1,2,0.5,0.25,false,x,RED,,"));
        Assert.That(node.ToJsonString(), Is.EqualTo("""{"id":1,"big":2,"score":0.5,"ratio":0.25,"ok":false,"name":"x","color":"RED","note":null,"count":null}"""));
    }

    [Test]
    public void Without_a_schema_the_header_names_the_columns_and_values_are_text()
    {
        CsvRecordEncoding encoding = Encoding(schema: null);
        encoding.Layout.SetHeader(["a", "b c"]);
        Assert.That(encoding.Decode<JsonElement>(Bytes("1,\"x\"")).GetRawText(), Is.EqualTo("""{"a":"1","b c":"x"}"""));
        Assert.That(encoding.Decode<string[]>(Bytes("1,")), Is.EqualTo(new[] { "1", "" }));
    }

    [Test]
    public void A_poco_binds_by_json_property_name_and_by_loose_name_and_leaves_other_columns()
    {
        SomeColumns partial = Encoding().Decode<SomeColumns>(Bytes("1,2,0.5,0.25,false,label,RED,,"));
        Assert.That((partial.Label, partial.Score), Is.EqualTo(("label", 0.5)));
    }

    [Test]
    public void A_poco_encodes_in_schema_order_quoting_what_needs_quotes_and_round_trips()
    {
        var row = new Row { Id = -3, Big = 1L << 40, Score = 0.1f, Ratio = 1.0 / 3, Ok = true, Name = "say \"hi\", ok\r\n", Color = Color.Red, Note = "", Count = null };
        CsvRecordEncoding encoding = Encoding();
        string text = Encode(encoding, row);
        Assert.That(text, Is.EqualTo("-3,1099511627776,0.1,0.3333333333333333,true,\"say \"\"hi\"\", ok\r\n\",Red,\"\","));
        Assert.That(new CsvSchemaChecker(encoding.Format, encoding.Layout).TryCheck(Bytes(text), out RecordRejection rejection), Is.False, "C# enum name 'Red' is not the symbol RED");
        Assert.That(rejection.Reason, Does.Contain("$.color"));
    }

    [Test]
    public void Json_encodes_by_column_and_reads_back_the_same()
    {
        CsvRecordEncoding encoding = Encoding();
        using JsonDocument document = JsonDocument.Parse("""{"name":"n","id":1,"big":2,"score":0.5,"ratio":1e-7,"ok":true,"color":"GREEN","note":null}""");
        string text = Encode(encoding, document.RootElement);
        Assert.That(text, Is.EqualTo("1,2,0.5,1e-7,true,n,GREEN,,"));
        Assert.That(encoding.Decode<JsonElement>(Bytes(text)).GetProperty("ratio").GetDouble(), Is.EqualTo(1e-7));
    }

    [Test]
    public void Missing_or_null_values_of_a_column_that_is_not_nullable_are_refused_on_output()
    {
        using JsonDocument document = JsonDocument.Parse("""{"id":1}""");
        var ex = Assert.Throws<StreamFormatException>(() => Encode(Encoding(), document.RootElement));
        Assert.That(ex!.Message, Is.EqualTo("$.big: missing, and the column is not nullable"));
    }

    [TestCase("1,2,abc,0.25,false,x,RED,,", RejectionKind.Schema, "$.score: \"abc\" is not a float (column 3, byte 4)")]
    [TestCase("1,2,0.5,0.25,maybe,x,RED,,", RejectionKind.Schema, "$.ok: \"maybe\" is not a boolean (true or false) (column 5, byte 13)")]
    [TestCase("1,2,0.5,0.25,true,x,BLUE,,", RejectionKind.Schema, "$.color: \"BLUE\" is not a symbol of the enum (RED, GREEN) (column 7, byte 20)")]
    [TestCase("99999999999,2,0.5,0.25,true,x,RED,,", RejectionKind.Schema, "$.id: \"99999999999\" is not an int (column 1, byte 0)")]
    [TestCase(",2,0.5,0.25,true,x,RED,,", RejectionKind.Schema, "$.id: an empty field is not an int (column 1, byte 0)")]
    [TestCase("1,2,0.5,0.25,true,x,RED,", RejectionKind.Schema, "the record has 8 fields, not 9 (id, big, score, ratio, ok, name, color, note, count)")]
    [TestCase("1,2,0.5,0.25,true,\"x,RED,,", RejectionKind.Encoding, "unbalanced quote: the quoted field that starts at byte 18 is not closed")]
    [TestCase("1,2,0.5,0.25,true,x\"y,RED,,", RejectionKind.Encoding, "a quote inside an unquoted field at byte 19 (quote the whole field and double the quote)")]
    [TestCase("1,2,0.5,0.25,true,\"x\"y,RED,,", RejectionKind.Encoding, "a closing quote must be followed by the delimiter or the end of the record, found 'y' at byte 21")]
    public void Bad_rows_are_rejected_with_the_reason_and_position(string row, RejectionKind kind, string reason)
    {
        CsvRecordEncoding encoding = Encoding();
        var checker = new CsvSchemaChecker(encoding.Format, encoding.Layout);
        Assert.That(checker.TryCheck(Bytes(row), out RecordRejection rejection), Is.False);
        Assert.That(rejection, Is.EqualTo(new RecordRejection(kind, reason)));
        var ex = Assert.Throws<StreamFormatException>(() => encoding.Decode<Row>(Bytes(row)));
        Assert.That(ex!.Message, Is.EqualTo(reason));
        Assert.That(encoding.TryDecode(Bytes(row), validate: true, out Row _, out RecordRejection fast), Is.False);
        Assert.That(fast, Is.EqualTo(rejection));
    }

    [Test]
    public void Invalid_utf8_is_rejected_by_encoding()
    {
        CsvRecordEncoding encoding = Encoding(schema: null);
        encoding.Layout.SetHeader(["a"]);
        Assert.That(new CsvSchemaChecker(encoding.Format, encoding.Layout).TryCheck([0x61, 0xFF], out RecordRejection rejection), Is.False);
        Assert.That(rejection, Is.EqualTo(new RecordRejection(RejectionKind.Encoding, "invalid UTF-8 at byte 1")));
    }

    [Test]
    public void A_multi_character_delimiter_and_another_quote_character_work_both_ways()
    {
        CsvRecordEncoding encoding = Encoding("""{"type":"record","name":"P","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""", new CsvFormat("||", '\''));
        JsonElement decoded = encoding.Decode<JsonElement>(Bytes("'x||''y'''||5"));
        Assert.That((decoded.GetProperty("a").GetString(), decoded.GetProperty("b").GetInt32()), Is.EqualTo(("x||'y'", 5)));
        using JsonDocument document = JsonDocument.Parse("""{"a":"x||'y'","b":5}""");
        Assert.That(Encode(encoding, document.RootElement), Is.EqualTo("'x||''y'''||5"));
    }

    [Test]
    public void Schemas_a_csv_column_cannot_hold_are_refused_with_field_paths()
    {
        var ex = Assert.Throws<DescriptorException>(() => CsvLayout.FromSchema(Avro.Schema.Parse("""{"type":"record","name":"P","fields":[{"name":"a","type":"string"},{"name":"b","type":{"type":"array","items":"int"}}]}""")));
        Assert.That(ex!.Message, Does.Contain("Schema.fields[1]: the csv encoding cannot hold field 'b' of type array"));
        ex = Assert.Throws<DescriptorException>(() => CsvLayout.FromSchema(Avro.Schema.Parse("\"int\"")));
        Assert.That(ex!.Message, Does.Contain("the csv encoding needs a record schema"));
    }

    [Test]
    public void The_checking_decoder_decodes_valid_rows_and_declines_bad_ones()
    {
        CsvRecordEncoding encoding = Encoding();
        var checker = new CsvSchemaChecker(encoding.Format, encoding.Layout);
        FastScore.Streams.Encodings.CheckingDecoder<Row> decoder = encoding.CreateCheckingDecoder<Row>(checker)!;
        Assert.That(decoder.TryDecodeValid(Bytes("1,2,0.5,0.25,false,x,RED,,4"), out Row row), Is.True);
        Assert.That(row.Count, Is.EqualTo(4));
        Assert.That(decoder.TryDecodeValid(Bytes("1,2,x,0.25,false,x,RED,,4"), out _), Is.False);
    }

    [Test]
    public void The_header_line_is_written_from_the_schema()
    {
        var output = new ArrayBufferWriter<byte>();
        Encoding().WriteHeader(output);
        Assert.That(System.Text.Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("id,big,score,ratio,ok,name,color,note,count"));
    }
}
