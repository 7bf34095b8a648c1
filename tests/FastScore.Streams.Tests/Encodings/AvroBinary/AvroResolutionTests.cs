using System.Text.Json;
using Avro.Generic;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Schemas;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Encodings.AvroBinary;

/// <summary>
/// Issue 14 point 1: the stream's schema is the writer's and the model slot's the reader's; records are read by the
/// Avro specification's resolution rules, and what cannot be resolved is refused with the reason.
/// </summary>
public sealed class AvroResolutionTests
{
    private static string R(string fields, string name = "R", string extra = "") => $$"""{"type":"record","name":"{{name}}"{{extra}},"fields":[{{fields}}]}""";

    private static T Read<T>(string writer, string reader, object? value)
    {
        Avro.Schema w = Parse(writer);
        byte[] bytes = ApacheEncode(w, value);
        return new AvroBinaryRecordEncoding(w, Parse(reader)).Decode<T>(bytes);
    }

    private static JsonElement ReadJson(string writer, string reader, object? value) => Read<JsonElement>(writer, reader, value);

    [TestCase("\"int\"", "\"long\"", 7, "7")]
    [TestCase("\"int\"", "\"float\"", 7, "7")]
    [TestCase("\"int\"", "\"double\"", -7, "-7")]
    [TestCase("\"long\"", "\"double\"", 9007199254740993L, "9007199254740992")]
    [TestCase("\"float\"", "\"double\"", 1.5f, "1.5")]
    [TestCase("\"string\"", "\"bytes\"", "ab", "\"ab\"")]
    [TestCase("\"bytes\"", "\"string\"", new byte[] { 0x68, 0x69 }, "\"hi\"")]
    public void Primitive_values_are_promoted_as_the_specification_says(string writer, string reader, object value, string json)
    {
        Assert.That(ReadJson(writer, reader, value).GetRawText(), Is.EqualTo(json));
    }

    [Test]
    public void Promotions_reach_POCO_members_and_generic_records_with_the_readers_types()
    {
        string writer = R("""{"name":"a","type":"int"},{"name":"b","type":"float"}""");
        string reader = R("""{"name":"a","type":"long"},{"name":"b","type":"double"}""");
        var record = new GenericRecord((Avro.RecordSchema)Parse(writer));
        record.Add("a", 3);
        record.Add("b", 0.5f);

        var poco = Read<LongDouble>(writer, reader, record);
        var generic = Read<GenericRecord>(writer, reader, record);

        Assert.That((poco.A, poco.B), Is.EqualTo((3L, 0.5)));
        Assert.That(generic["a"], Is.EqualTo(3L).And.TypeOf<long>());
        Assert.That(generic["b"], Is.EqualTo(0.5).And.TypeOf<double>());
    }

    [Test]
    public void A_field_the_writer_lacks_takes_its_default_and_a_field_the_reader_lacks_is_skipped()
    {
        string writer = R("""{"name":"old","type":"string"},{"name":"keep","type":"int"}""");
        string reader = R("""{"name":"keep","type":"int"},{"name":"added","type":"double","default":2.5},{"name":"tags","type":{"type":"array","items":"string"},"default":["x"]}""");
        var record = new GenericRecord((Avro.RecordSchema)Parse(writer));
        record.Add("old", "dropped");
        record.Add("keep", 42);

        JsonElement json = ReadJson(writer, reader, record);
        var apache = (GenericRecord)ApacheDecode(Parse(writer), Parse(reader), ApacheEncode(Parse(writer), record))!;

        Assert.That(json.GetRawText(), Is.EqualTo("""{"keep":42,"added":2.5,"tags":["x"]}"""));
        Assert.That(apache["added"], Is.EqualTo(2.5), "Apache.Avro agrees");
    }

    [Test]
    public void Field_and_record_aliases_match_a_renamed_writer()
    {
        string writer = R("""{"name":"petal","type":"float"}""", "OldName");
        string reader = R("""{"name":"petal_length","aliases":["petal"],"type":"float"}""", "NewName", ""","aliases":["OldName"]""");
        var record = new GenericRecord((Avro.RecordSchema)Parse(writer));
        record.Add("petal", 1.25f);

        Assert.That(ReadJson(writer, reader, record).GetRawText(), Is.EqualTo("""{"petal_length":1.25}"""));
    }

    [Test]
    public void An_enum_symbol_the_reader_lacks_reads_as_the_readers_default()
    {
        string writer = """{"type":"enum","name":"E","symbols":["A","B","C"]}""";
        string reader = """{"type":"enum","name":"E","symbols":["A","B","OTHER"],"default":"OTHER"}""";
        var symbol = new GenericEnum((Avro.EnumSchema)Parse(writer), "C");

        Assert.That(ReadJson(writer, reader, symbol).GetString(), Is.EqualTo("OTHER"));
        Assert.That(ReadJson(writer, reader, new GenericEnum((Avro.EnumSchema)Parse(writer), "B")).GetString(), Is.EqualTo("B"));
    }

    [Test]
    public void A_writer_union_branch_goes_to_the_readers_matching_branch()
    {
        string writer = """["null","int","string"]""";
        string reader = """["string","long","null"]""";

        Assert.That(ReadJson(writer, reader, 5).GetRawText(), Is.EqualTo("5"));
        Assert.That(ReadJson(writer, reader, "s").GetRawText(), Is.EqualTo("\"s\""));
        Assert.That(ReadJson(writer, reader, null).ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void A_plain_writer_value_is_read_into_a_readers_union()
    {
        Assert.That(Read<int?>("\"int\"", """["null","int"]""", 9), Is.EqualTo(9));
        Assert.That(ReadJson("\"int\"", """["null","string","double"]""", 9).GetRawText(), Is.EqualTo("9"));
    }

    [Test]
    public void A_writer_union_branch_the_reader_cannot_read_rejects_only_the_records_that_hold_it()
    {
        Avro.Schema writer = Parse("""["null","float"]""");
        var encoding = new AvroBinaryRecordEncoding(writer, Parse("\"double\""));

        var error = Assert.Throws<StreamFormatException>(() => encoding.Decode<double>(ApacheEncode(writer, null)));

        Assert.That(encoding.Decode<double>(ApacheEncode(writer, 0.5f)), Is.EqualTo(0.5));
        Assert.That(error!.Message, Does.Contain("the writer's null cannot be read as the reader's double"));
    }

    [Test]
    public void Recursive_schemas_resolve_and_read_a_linked_list()
    {
        string list = """{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}""";
        string wider = """{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]},{"name":"w","type":"int","default":1}]}""";
        var schema = (Avro.RecordSchema)Parse(list);
        GenericRecord? head = null;
        for (int i = 0; i < 3; i++)
        {
            var node = new GenericRecord(schema);
            node.Add("v", i);
            node.Add("next", head);
            head = node;
        }

        Assert.That(ReadJson(list, wider, head).GetRawText(), Is.EqualTo("""{"v":2,"next":{"v":1,"next":{"v":0,"next":null,"w":1},"w":1},"w":1}"""));
    }

    [TestCase("\"long\"", "\"int\"", "$: the writer's long cannot be read as the reader's int")]
    [TestCase("\"string\"", "\"int\"", "$: the writer's string cannot be read as the reader's int")]
    [TestCase("""{"type":"record","name":"A","fields":[]}""", """{"type":"record","name":"B","fields":[]}""", "$: the writer's record A and the reader's record B have different names (and no alias of the reader's names the writer's)")]
    [TestCase("""{"type":"record","name":"R","fields":[]}""", """{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}""", "$: the reader's field 'x' of record R is not in the writer's record R and has no default")]
    [TestCase("""{"type":"enum","name":"E","symbols":["A","Z"]}""", """{"type":"enum","name":"E","symbols":["A"]}""", "$: the writer's enum E has symbols the reader's lacks (Z) and the reader has no default symbol")]
    [TestCase("""{"type":"fixed","name":"F","size":2}""", """{"type":"fixed","name":"F","size":3}""", "$: the writer's fixed F (2 bytes) and the reader's fixed F (3 bytes) differ in size")]
    [TestCase("""{"type":"array","items":"double"}""", """{"type":"array","items":"float"}""", "$[]: the writer's double cannot be read as the reader's float")]
    [TestCase("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"long"}}]}""", """{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"map","values":"int"}}]}""", "$.a{}: the writer's long cannot be read as the reader's int")]
    [TestCase("""["null","string"]""", "\"string\"", "$: the writer's null cannot be read as the reader's string")]
    [TestCase("\"boolean\"", """["null","int"]""", "$: the writer's boolean matches no branch of the reader's union [null, int]")]
    public void An_incompatible_pair_of_schemas_is_explained(string writer, string reader, string reason)
    {
        Assert.That(AvroResolver.Explain(Parse(reader), Parse(writer)), Is.EqualTo(reason));
        Assert.That(SchemaCompatibility.Explain(Parse(reader), Parse(writer)), Is.EqualTo(reason));
        Assert.That(SchemaCompatibility.CanRead(Parse(reader), Parse(writer)), Is.False);
    }

    [Test]
    public void A_readers_field_default_that_is_not_a_value_of_its_type_is_explained()
    {
        string reader = """{"type":"record","name":"R","fields":[{"name":"x","type":"int","default":"text"}]}""";

        Assert.That(AvroResolver.Explain(Parse(reader), Parse("""{"type":"record","name":"R","fields":[]}""")),
            Does.StartWith("$.x: the default is not a value of int"));
    }

    public sealed class LongDouble
    {
        public long A { get; set; }

        public double B { get; set; }
    }
}
