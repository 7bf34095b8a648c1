using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Tests.Encodings;

public sealed class JsonRecordEncodingTests
{
    public sealed record Iris(double sepal_length, double sepal_width, double petal_length, double petal_width);

    public sealed class Named
    {
        public int Count { get; set; }
    }

    private static readonly JsonRecordEncoding s_json = JsonRecordEncoding.Default;

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Encode<T>(RecordEncoding encoding, T value)
    {
        var output = new ArrayBufferWriter<byte>();
        encoding.Encode(value, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string WriteControl(RecordEncoding encoding, ControlRecord control)
    {
        var output = new ArrayBufferWriter<byte>();
        encoding.WriteControl(control, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Test]
    public void Decodes_a_record_into_a_POCO()
    {
        var iris = s_json.Decode<Iris>(Bytes("""{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}"""));
        Assert.That(iris, Is.EqualTo(new Iris(6.9, 3.1, 5.4, 2.1)));
    }

    [Test]
    public void Property_names_are_case_sensitive_by_default()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_json.Decode<Named>(Bytes("""{"count": 3}""")).Count, Is.Zero);
            Assert.That(s_json.Decode<Named>(Bytes("""{"Count": 3}""")).Count, Is.EqualTo(3));
        });
    }

    [Test]
    public void Serializer_options_given_to_the_constructor_are_used_both_ways()
    {
        var camel = new JsonRecordEncoding(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
        Assert.Multiple(() =>
        {
            Assert.That(camel.Decode<Named>(Bytes("""{"count": 3}""")).Count, Is.EqualTo(3));
            Assert.That(Encode(camel, new Named { Count = 4 }), Is.EqualTo("""{"count":4}"""), "camelCase, and never indented");
        });
    }

    [Test]
    public void Decodes_to_JsonElement_and_JsonNode()
    {
        byte[] record = Bytes("""{"a": [1, 2]}""");
        Assert.Multiple(() =>
        {
            Assert.That(s_json.Decode<JsonElement>(record).GetProperty("a")[1].GetInt32(), Is.EqualTo(2));
            Assert.That(s_json.Decode<JsonNode>(record)!["a"]![0]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(s_json.Decode<JsonObject>(record).Count, Is.EqualTo(1));
            Assert.That(s_json.Decode<JsonNode>(Bytes("null")), Is.Null);
        });
    }

    [Test]
    public void A_string_is_the_value_of_a_JSON_string_record()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_json.Decode<string>(Bytes(""" "caf\u00e9" """)), Is.EqualTo("café"));
            Assert.That(s_json.Decode<string>(Bytes("null")), Is.Null);
            Assert.That(() => s_json.Decode<string>(Bytes("""{"a":1}""")), Throws.TypeOf<StreamFormatException>().With.Message.Contains("not a string"));
            Assert.That(Encode(s_json, "say \"hi\""), Is.EqualTo("\"say \\u0022hi\\u0022\""));
        });
    }

    [Test]
    public void Bytes_are_passed_through_without_parsing()
    {
        byte[] notJson = Bytes("{not json");
        Assert.Multiple(() =>
        {
            Assert.That(s_json.Decode<byte[]>(notJson), Is.EqualTo(notJson));
            Assert.That(s_json.Decode<ReadOnlyMemory<byte>>(notJson).ToArray(), Is.EqualTo(notJson));
            Assert.That(Encode(s_json, notJson), Is.EqualTo("{not json"));
            Assert.That(Encode(s_json, (ReadOnlyMemory<byte>)notJson), Is.EqualTo("{not json"));
        });
    }

    [TestCase("{\"sepal_length\": 1,")]
    [TestCase("{\"sepal_length\": 1} x")]
    [TestCase("")]
    [TestCase("{\"sepal_length\": \"abc\"}")]
    public void Invalid_JSON_is_a_StreamFormatException(string record) =>
        Assert.That(() => s_json.Decode<Iris>(Bytes(record)), Throws.TypeOf<StreamFormatException>().With.InnerException.InstanceOf<JsonException>());

    [TestCase("{\"a\": 1")]
    [TestCase("[1] [2]")]
    public void Invalid_JSON_is_a_StreamFormatException_for_JsonElement_too(string record) =>
        Assert.That(() => s_json.Decode<JsonElement>(Bytes(record)), Throws.InstanceOf<StreamFormatException>());

    [Test]
    public void Encodes_POCOs_elements_nodes_and_null_on_one_line()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Encode(s_json, new Iris(1, 2, 3, 4.5)), Is.EqualTo("""{"sepal_length":1,"sepal_width":2,"petal_length":3,"petal_width":4.5}"""));
            Assert.That(Encode(s_json, JsonDocument.Parse("[1, {\"b\": null}]").RootElement), Is.EqualTo("""[1,{"b":null}]"""));
            Assert.That(Encode(s_json, JsonNode.Parse("{\"x\": true}")), Is.EqualTo("""{"x":true}"""));
            Assert.That(Encode<Iris?>(s_json, null), Is.EqualTo("null"));
            Assert.That(Encode(s_json, new Dictionary<string, double> { ["A"] = 0.5 }), Is.EqualTo("""{"A":0.5}"""));
        });
    }

    [Test]
    public void Encoding_twice_on_one_thread_into_different_buffers_keeps_them_apart()
    {
        var first = new ArrayBufferWriter<byte>();
        var second = new ArrayBufferWriter<byte>();
        s_json.Encode(1, first);
        s_json.Encode(2, second);
        s_json.Encode(3, first);
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(first.WrittenSpan), Is.EqualTo("13"));
            Assert.That(Encoding.UTF8.GetString(second.WrittenSpan), Is.EqualTo("2"));
        });
    }

    [TestCase("""{"$fastscore":"end"}""", ControlKind.End)]
    [TestCase("""  {"$fastscore": "set"}""", ControlKind.Set)]
    [TestCase("""{"$fastscore":"pig"}""", ControlKind.Pig)]
    [TestCase("""{"k$fastscore": 1, "$fastscore": "end"}""", ControlKind.End)] // the key found after a look-alike
    public void Recognises_control_records(string record, ControlKind kind)
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_json.TryReadControl(Bytes(record), out ControlRecord control), Is.True);
            Assert.That(control, Is.EqualTo(new ControlRecord(kind)));
        });
    }

    [Test]
    public void Reads_control_record_properties()
    {
        bool found = s_json.TryReadControl(Bytes("""{"misc": "hello", "$fastscore": "pig", "id": 1234, "timestamp": 3476304987123}"""), out ControlRecord control);
        Assert.Multiple(() =>
        {
            Assert.That(found, Is.True);
            Assert.That(control, Is.EqualTo(new ControlRecord(ControlKind.Pig, 1234, 3476304987123, "hello")));
        });
    }

    [TestCase("""{"sepal_length": 1}""")]
    [TestCase("""{"note": "$fastscore"}""")]
    [TestCase("""{"k$fastscore": "end"}""")]
    [TestCase("""{"\u0024fastscore": "end"}""")] // an escaped key is data (the bytes are looked for, not the text)
    [TestCase("""{"$fastscore": "later"}""")]
    [TestCase("""["$fastscore", "end"]""")]
    [TestCase("""{"$fastscore": "end"} trailing""")]
    [TestCase("")]
    public void Ordinary_records_are_not_control_records(string record) =>
        Assert.That(s_json.TryReadControl(Bytes(record), out _), Is.False);

    [Test]
    public void Writes_control_records()
    {
        Assert.Multiple(() =>
        {
            Assert.That(WriteControl(s_json, new ControlRecord(ControlKind.End)), Is.EqualTo("""{"$fastscore":"end"}"""));
            Assert.That(WriteControl(s_json, new ControlRecord(ControlKind.Set, 7, 1700000000000, "m")),
                Is.EqualTo("""{"$fastscore":"set","id":7,"timestamp":1700000000000,"misc":"m"}"""));
        });
    }

    [Test]
    public void A_written_control_record_reads_back()
    {
        var control = new ControlRecord(ControlKind.Pig, -5, 42, "x|y");
        var output = new ArrayBufferWriter<byte>();
        s_json.WriteControl(control, output);
        Assert.Multiple(() =>
        {
            Assert.That(s_json.TryReadControl(output.WrittenSpan, out ControlRecord back), Is.True);
            Assert.That(back, Is.EqualTo(control));
        });
    }
}
