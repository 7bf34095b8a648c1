using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Tests.Encodings;

/// <summary>
/// The json codec (general loop, emitted reader, emitted writer) must give exactly what <see cref="JsonSerializer"/>
/// gives with the encoding's options, or decline. These contracts change what the serializer does with a property
/// while leaving the codec's checks satisfied.
/// </summary>
public sealed class JsonCodecContractTests
{
    public sealed class Scaled
    {
        public int A { get; set; }
    }

    public sealed class Named
    {
        public string S { get; set; } = null!; // non-nullable: with RespectNullableAnnotations the serializer refuses to write null
    }

    private static JsonSerializerOptions Modified() => new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Type == typeof(Scaled))
                    {
                        JsonPropertyInfo a = info.Properties[0];
                        a.Set = (target, value) => ((Scaled)target).A = (int)value! * 2;
                        a.Get = source => ((Scaled)source).A + 100;
                    }
                },
            },
        },
    };

    [Test]
    public void A_contract_that_replaces_a_property_setter_is_honoured_when_decoding()
    {
        JsonSerializerOptions options = Modified();
        var encoding = new JsonRecordEncoding(options);
        byte[] record = """{"A": 7}"""u8.ToArray();
        Scaled expected = JsonSerializer.Deserialize<Scaled>(record, options)!;
        Assert.That(expected.A, Is.EqualTo(14), "the serializer calls the contract's setter");
        Assert.That(encoding.Decode<Scaled>(record).A, Is.EqualTo(expected.A));
    }

    [Test]
    public void A_contract_that_replaces_a_property_getter_is_honoured_when_encoding()
    {
        JsonSerializerOptions options = Modified();
        var encoding = new JsonRecordEncoding(options);
        var value = new Scaled { A = 7 };
        string expected = JsonSerializer.Serialize(value, options);
        Assert.That(expected, Is.EqualTo("""{"A":107}"""), "the serializer calls the contract's getter");
        var output = new ArrayBufferWriter<byte>();
        encoding.Encode(value, output);
        Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo(expected));
    }

    [Test]
    public void A_null_non_nullable_string_is_not_written_when_the_options_respect_nullable_annotations()
    {
        var options = new JsonSerializerOptions { RespectNullableAnnotations = true };
        var value = new Named();
        Assert.Throws<JsonException>(() => JsonSerializer.Serialize(value, options), "the serializer refuses null for a non-nullable property");
        var encoding = new JsonRecordEncoding(options);
        var output = new ArrayBufferWriter<byte>();
        Assert.Throws<StreamFormatException>(() => encoding.Encode(value, output), "the encoding refuses it too (it wrote " + Encoding.UTF8.GetString(output.WrittenSpan) + ")");
    }
}
