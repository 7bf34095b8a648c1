using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// The json encoding decodes a <see cref="JsonElement"/> in one pass and writes an element's own text when it is already
/// what <see cref="Utf8JsonWriter"/> would write: these tests hold both to the writer's output and the reader's errors.
/// </summary>
public sealed class JsonElementFastPathTests
{
    private static readonly JsonRecordEncoding s_json = JsonRecordEncoding.Default;

    private static string Encode(JsonRecordEncoding encoding, JsonElement value)
    {
        var output = new ArrayBufferWriter<byte>();
        encoding.Encode(value, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Written(JsonElement value, JavaScriptEncoder? encoder = null)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = encoder }))
        {
            value.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static JsonElement Parse(string json, JsonDocumentOptions options = default)
    {
        using JsonDocument document = JsonDocument.Parse(json, options);
        return document.RootElement.Clone();
    }

    [TestCase("""{"id":1,"sepal_length":5.2,"species":"setosa"}""")]
    [TestCase("""{ "id" : 1 , "a" : [ 1 , 2 ] }""")]
    [TestCase("""{"a":"x y"}""")]
    [TestCase("""{"a":"caf\u00e9","b":"\/"}""")]
    [TestCase("""{"a":"café"}""")]
    [TestCase("""{"a":"<b>&'+`"}""")]
    [TestCase("""{"url":"http://x/y"}""")]
    [TestCase("""[1.50,-0,1e5,1E-5,2.5e+3,12345678901234567890123]""")]
    [TestCase("""{"a":{"b":[true,false,null,{}]},"a":[]}""")]
    [TestCase("\"just a string\"")]
    [TestCase("42")]
    [TestCase("null")]
    public void Encoding_an_element_writes_what_Utf8JsonWriter_writes(string json)
    {
        JsonElement element = Parse(json);
        Assert.That(Encode(s_json, element), Is.EqualTo(Written(element)));
    }

    [Test]
    public void Every_printable_ASCII_character_in_strings_and_names_is_written_as_the_writer_writes_it()
    {
        Assert.Multiple(() =>
        {
            for (char c = ' '; c <= '~'; c++)
            {
                string escaped = c switch { '"' => "\\\"", '\\' => "\\\\", _ => c.ToString() };
                JsonElement element = Parse($$"""{"k{{escaped}}":"v{{escaped}}","n":[1]}""");
                Assert.That(Encode(s_json, element), Is.EqualTo(Written(element)), $"character {(int)c} '{c}'");
            }
        });
    }

    [Test]
    public void Comments_and_trailing_commas_of_the_source_are_dropped()
    {
        var lenient = new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
        Assert.Multiple(() =>
        {
            Assert.That(Encode(s_json, Parse("""{"a":[1,2,],"b":{"c":1,},}""", lenient)), Is.EqualTo("""{"a":[1,2],"b":{"c":1}}"""));
            Assert.That(Encode(s_json, Parse("""{"a":/*x*/1}""", lenient)), Is.EqualTo("""{"a":1}"""));
        });
    }

    [Test]
    public void Part_of_a_document_is_written_alone()
    {
        using JsonDocument document = JsonDocument.Parse("""{"outer":{"inner":[1,2]},"rest":true}""");
        Assert.That(Encode(s_json, document.RootElement.GetProperty("outer")), Is.EqualTo("""{"inner":[1,2]}"""));
    }

    [Test]
    public void A_default_element_fails_as_before() =>
        Assert.That(() => Encode(s_json, default), Throws.InstanceOf<InvalidOperationException>());

    [Test]
    public void A_custom_encoder_is_always_applied()
    {
        var encoder = JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.None);
        var encoding = new JsonRecordEncoding(new JsonSerializerOptions { Encoder = encoder });
        JsonElement element = Parse("""{"a":"b"}""");
        Assert.That(Encode(encoding, element), Is.EqualTo(Written(element, encoder)));
    }

    [Test]
    public void A_decoded_element_outlives_the_record_buffer()
    {
        byte[] record = Encoding.UTF8.GetBytes("""{"a":[1,2],"s":"x"}""");
        JsonElement element = s_json.Decode<JsonElement>(record);
        Array.Fill(record, (byte)' ');
        Assert.Multiple(() =>
        {
            Assert.That(element.GetProperty("a")[1].GetInt32(), Is.EqualTo(2));
            Assert.That(element.GetProperty("s").GetString(), Is.EqualTo("x"));
            Assert.That(Encode(s_json, element), Is.EqualTo("""{"a":[1,2],"s":"x"}"""));
        });
    }

    [TestCase("{\"a\": 1")]
    [TestCase("[1] [2]")]
    [TestCase("{\"a\":1} x")]
    [TestCase("")]
    [TestCase("   ")]
    [TestCase("{\"a\":1,}")]
    [TestCase("{\"a\":/*c*/1}")]
    public void Invalid_records_fail_with_a_StreamFormatException_wrapping_the_JsonException(string record) =>
        Assert.That(() => s_json.Decode<JsonElement>(Encoding.UTF8.GetBytes(record)),
            Throws.TypeOf<StreamFormatException>().With.InnerException.InstanceOf<JsonException>());

    [Test]
    public void The_serializer_options_reading_leniency_applies()
    {
        var encoding = new JsonRecordEncoding(new JsonSerializerOptions { AllowTrailingCommas = true, ReadCommentHandling = JsonCommentHandling.Skip });
        JsonElement element = encoding.Decode<JsonElement>(Encoding.UTF8.GetBytes("{\"a\":/*c*/[1,],} "));
        Assert.That(Encode(encoding, element), Is.EqualTo("""{"a":[1]}"""));
    }

    [Test]
    public void Whitespace_around_the_value_is_allowed()
    {
        JsonElement element = s_json.Decode<JsonElement>(Encoding.UTF8.GetBytes(" \t{\"a\":1}\r "));
        Assert.That(Encode(s_json, element), Is.EqualTo("""{"a":1}"""));
    }
}
