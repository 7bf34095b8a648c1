using System.Buffers;
using System.Text.Json;
using Avro.Generic;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.AvroBinary;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Encodings.AvroBinary;

/// <summary>
/// Issue 14 point 1: the avro-binary encoding decodes to POCOs, Apache.Avro generic records and plain JSON, and encodes
/// from each, agreeing byte for byte with Apache.Avro's own writer and reader.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public sealed class AvroBinaryEncodingTests(bool emit)
{
    private static byte[] Encode<T>(RecordEncoding encoding, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        encoding.Encode(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [Test]
    public void An_iris_record_written_by_Apache_Avro_decodes_to_a_POCO_and_encodes_back_to_the_same_bytes()
    {
        Avro.Schema schema = Parse(Iris);
        byte[] bytes = ApacheEncode(schema, IrisRecord(schema, 6.9f, 3.1f, 5.4f, 2.1f));
        var encoding = new AvroBinaryRecordEncoding(schema, emit: emit);

        IrisPoco iris = encoding.Decode<IrisPoco>(bytes);

        Assert.Multiple(() =>
        {
            Assert.That(iris.SepalLength, Is.EqualTo(6.9f));
            Assert.That(iris.SepalWidth, Is.EqualTo(3.1f));
            Assert.That(iris.PetalLength, Is.EqualTo(5.4f));
            Assert.That(iris.PetalWidth, Is.EqualTo(2.1f));
            Assert.That(Encode(encoding, iris), Is.EqualTo(bytes));
        });
    }

    [Test]
    public void Every_type_round_trips_between_Apache_Avro_and_a_POCO([Range(0, 11)] int seed)
    {
        Avro.Schema schema = Parse(Rich);
        GenericRecord record = RichRecord(schema, seed);
        byte[] bytes = ApacheEncode(schema, record);
        var encoding = new AvroBinaryRecordEncoding(schema, emit: emit);

        RichPoco poco = encoding.Decode<RichPoco>(bytes);
        byte[] again = Encode(encoding, poco);

        Assert.Multiple(() =>
        {
            Assert.That(poco.I, Is.EqualTo(-seed * 1000));
            Assert.That(poco.S, Is.EqualTo("é☮" + seed));
            Assert.That(poco.E, Is.EqualTo((Colour)(seed % 3)));
            Assert.That(poco.A, Has.Count.EqualTo(seed % 4));
            Assert.That(poco.M["k" + seed], Is.EqualTo("v" + seed));
            Assert.That(poco.N, Is.EqualTo(seed % 2 == 0 ? null : "text"));
            Assert.That(poco.Ni, Is.EqualTo(seed % 3 == 0 ? null : seed));
            Assert.That(Depth(poco.Child), Is.EqualTo(seed % 3));
            Assert.That(again, Is.EqualTo(bytes), "our writer writes what Apache.Avro's writes");
        });
    }

    private static int Depth(ChildPoco? child) => child is null ? 0 : 1 + Depth(child.Next);

    [Test]
    public void Generic_records_are_what_Apache_Avros_GenericDatumReader_gives_and_encode_to_its_bytes([Range(0, 5)] int seed)
    {
        Avro.Schema schema = Parse(Rich);
        byte[] bytes = ApacheEncode(schema, RichRecord(schema, seed));
        var encoding = new AvroBinaryRecordEncoding(schema, emit: emit);

        var ours = encoding.Decode<GenericRecord>(bytes);
        var apache = (GenericRecord)ApacheDecode(schema, schema, bytes)!;

        Assert.Multiple(() =>
        {
            Assert.That(ours.ToString(), Is.EqualTo(apache.ToString()));
            Assert.That(Encode(encoding, ours), Is.EqualTo(bytes));
            Assert.That(Encode<object>(encoding, ours), Is.EqualTo(bytes));
        });
    }

    [Test]
    public void Records_decode_to_plain_json_and_encode_back_from_it([Range(0, 5)] int seed)
    {
        Avro.Schema schema = Parse(Rich);
        byte[] bytes = ApacheEncode(schema, RichRecord(schema, seed));
        var encoding = new AvroBinaryRecordEncoding(schema, emit: emit);

        JsonElement json = encoding.Decode<JsonElement>(bytes);

        Assert.Multiple(() =>
        {
            Assert.That(json.GetProperty("s").GetString(), Is.EqualTo("é☮" + seed));
            Assert.That(json.GetProperty("e").GetString(), Is.EqualTo(new[] { "RED", "GREEN", "BLUE" }[seed % 3]));
            Assert.That(json.GetProperty("by").GetString(), Is.EqualTo($"\u0000{(char)seed}\u00ff"), "bytes are one character per byte");
            Assert.That(json.GetProperty("n").ValueKind, Is.EqualTo(seed % 2 == 0 ? JsonValueKind.Null : JsonValueKind.String), "unions are not wrapped");
            Assert.That(Encode(encoding, json), Is.EqualTo(bytes));
        });
    }

    [Test]
    public void A_json_record_in_Avros_own_wrapped_union_form_is_accepted_too()
    {
        Avro.Schema schema = Parse("""{"type":"record","name":"R","fields":[{"name":"u","type":["null","int","string"]}]}""");
        var encoding = new AvroBinaryRecordEncoding(schema, emit: emit);

        byte[] plain = Encode(encoding, JsonDocument.Parse("""{"u":"x"}""").RootElement);
        byte[] wrapped = Encode(encoding, JsonDocument.Parse("""{"u":{"string":"x"}}""").RootElement);

        Assert.That(wrapped, Is.EqualTo(plain));
        Assert.That(plain, Is.EqualTo(new byte[] { 4, 2, (byte)'x' }));
    }

    [Test]
    public void A_json_value_that_does_not_match_the_schema_is_a_format_error_naming_the_field()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris), emit: emit);

        var error = Assert.Throws<StreamFormatException>(() => Encode(encoding, JsonDocument.Parse("""{"sepal_length":1,"sepal_width":"x","petal_length":1,"petal_width":1}""").RootElement));

        Assert.That(error!.Message, Is.EqualTo("$.sepal_width: expected float, got \"x\""));
    }

    [Test]
    public void Bytes_that_are_not_a_record_are_a_format_error_with_the_field_and_byte_position()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris), emit: emit);

        var error = Assert.Throws<StreamFormatException>(() => encoding.Decode<IrisPoco>(new byte[14]));

        Assert.That(error!.Message, Is.EqualTo("$.petal_width: truncated (a float ends past the record) at byte 12"));
    }

    [Test]
    public void Bytes_left_after_a_record_are_a_format_error()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris), emit: emit);

        var error = Assert.Throws<StreamFormatException>(() => encoding.Decode<IrisPoco>(new byte[17]));

        Assert.That(error!.Message, Is.EqualTo("$: 1 bytes after the end of the record at byte 16"));
    }

    [Test]
    public void A_null_in_a_union_read_into_a_non_nullable_member_rejects_that_record_only()
    {
        Avro.Schema schema = Parse("""{"type":"record","name":"R","fields":[{"name":"v","type":["null","int"]}]}""");
        var encoding = new AvroBinaryRecordEncoding(schema, emit: emit);

        var error = Assert.Throws<StreamFormatException>(() => encoding.Decode<IntHolder>([0]));
        IntHolder read = encoding.Decode<IntHolder>([2, 8]);

        Assert.That(error!.Message, Is.EqualTo("$.v: null cannot be stored in a Int32 member at byte 0"));
        Assert.That(read.V, Is.EqualTo(4));
    }

    [Test]
    public void A_POCO_that_cannot_hold_a_field_is_a_not_supported_error_naming_it()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse("""{"type":"record","name":"R","fields":[{"name":"v","type":"long"}]}"""), emit: emit);

        var error = Assert.Throws<NotSupportedException>(() => encoding.Decode<IntHolder>([2]));

        Assert.That(error!.Message, Does.StartWith("$.v: a Int32 member cannot hold the values of long"));
    }

    [Test]
    public void A_POCO_without_a_member_for_a_required_field_cannot_be_written()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris), emit: emit);

        var error = Assert.Throws<NotSupportedException>(() => Encode(encoding, new IntHolder()));

        Assert.That(error!.Message, Does.Contain("has no member for the required field 'sepal_length'"));
    }

    [Test]
    public void A_null_string_is_an_encoding_error_naming_the_field()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse("""{"type":"record","name":"R","fields":[{"name":"S","type":"string"}]}"""), emit: emit);

        var error = Assert.Throws<StreamFormatException>(() => Encode(encoding, new StringHolder { S = null }));

        Assert.That(error!.Message, Is.EqualTo("$.S: null is not a string"));
    }

    [Test]
    public void Raw_bytes_pass_through_undecoded()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris), emit: emit);
        byte[] bytes = [1, 2, 3];

        Assert.That(encoding.Decode<byte[]>(bytes), Is.EqualTo(bytes));
        Assert.That(Encode(encoding, bytes), Is.EqualTo(bytes));
        Assert.That(encoding.IsSelfDelimiting, Is.True);
        Assert.That(encoding.Name, Is.EqualTo("avro-binary"));
    }

    [Test]
    public void A_string_schema_decodes_to_and_encodes_from_a_string()
    {
        var encoding = new AvroBinaryRecordEncoding(Parse("\"string\""), emit: emit);

        byte[] bytes = Encode(encoding, "héllo");

        Assert.That(bytes, Is.EqualTo(ApacheEncode(Parse("\"string\""), "héllo")));
        Assert.That(encoding.Decode<string>(bytes), Is.EqualTo("héllo"));
    }

    public sealed class IntHolder
    {
        public int V { get; set; }
    }

    public sealed class StringHolder
    {
        public string? S { get; set; }
    }
}
