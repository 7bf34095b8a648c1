using System.Text;
using System.Text.Json;
using FastScore.Streams.Encodings;
using FastScore.Streams.Schemas;
using FastScore.Streams.Schemas.Json;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// Issue 12, point 1: a JSON string or key whose escapes are an unpaired surrogate (<c>"\ud800"</c>) passes
/// <see cref="Utf8JsonReader"/>, but reading it as text throws <see cref="InvalidOperationException"/>. The checkers
/// reject such records by encoding, with a reason; the decoders turn the serializer's failure into a rejection.
/// </summary>
public sealed class UnpairedSurrogateTests
{
    private const string Iris = """{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"},{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"}]}""";
    private const string Rich = """{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":""},{"name":"m","type":{"type":"map","values":"int"},"default":{}},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"A"},{"name":"b","type":"bytes","default":""},{"name":"u","type":["null",{"type":"string","logicalType":"uuid"}],"default":null},{"name":"o","type":["null","string"],"default":null}]}""";

    public sealed class IrisRecord
    {
        public float sepal_length { get; set; }

        public float sepal_width { get; set; }

        public float petal_length { get; set; }

        public float petal_width { get; set; }
    }

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [TestCase("""{"sepal_length":6.9,"\ud800":1}""", TestName = "The_issues_record_a_key_with_a_lone_high_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"sepal_length":6.9,"a\udc00b":1}""", TestName = "A_key_with_a_lone_low_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"\udc00\ud800":1}""", TestName = "A_key_with_the_surrogates_in_the_wrong_order_is_rejected_by_encoding")]
    [TestCase("""{"\ud800\u0041":1}""", TestName = "A_key_with_a_high_surrogate_before_a_non_surrogate_escape_is_rejected_by_encoding")]
    [TestCase("""{"sepal_length":6.9,"sepal_width":3.1,"petal_length":5.4,"petal_width":2.1,"\uD800":1}""", TestName = "A_key_after_every_field_with_an_upper_case_lone_surrogate_is_rejected_by_encoding")]
    public void A_key_that_is_not_text_is_rejected_by_encoding_by_the_schema_checker(string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(Iris));
        Assert.That(() => checker.TryCheck(Bytes(record), out _), Throws.Nothing);
        bool ok = checker.TryCheck(Bytes(record), out RecordRejection rejection);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(rejection.Reason, Does.Contain("unpaired surrogate").IgnoreCase);
        });
    }

    [TestCase("""{"s":"\ud800"}""", TestName = "A_string_value_with_a_lone_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"m":{"\ud800":1}}""", TestName = "A_map_key_with_a_lone_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"e":"\ud800"}""", TestName = "An_enum_value_with_a_lone_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"b":"\ud800"}""", TestName = "A_bytes_value_with_a_lone_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"u":"\udfff"}""", TestName = "A_uuid_in_a_union_with_a_lone_surrogate_is_rejected_by_encoding")]
    [TestCase("""{"o":"x\ud800"}""", TestName = "A_nullable_string_with_a_lone_surrogate_is_rejected_by_encoding")]
    public void A_string_that_is_not_text_is_rejected_by_encoding_wherever_the_schema_reads_it(string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(Rich));
        bool ok = checker.TryCheck(Bytes(record), out RecordRejection rejection);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding), rejection.Reason);
            Assert.That(rejection.Reason, Does.Contain("unpaired surrogate"));
        });
    }

    [TestCase("""{"s":"\ud83d\ude00"}""")]
    [TestCase("""{"m":{"\ud83d\ude00":1},"o":"\u00e9\ud800\udc00"}""")]
    [TestCase("""{"s":"\\ud800"}""")]
    public void Paired_surrogates_and_escaped_backslashes_are_text(string record)
    {
        var checker = new JsonAvroSchemaChecker(Avro.Schema.Parse(Rich));
        Assert.That(checker.TryCheck(Bytes(record), out RecordRejection rejection), Is.True, rejection.Reason);
    }

    [TestCase("""{"\ud800":1}""")]
    [TestCase("""["a","\udbff"]""")]
    [TestCase("""{"a":{"b":["\udc00"]}}""")]
    public void The_json_syntax_checker_rejects_a_lone_surrogate_anywhere_by_encoding(string record)
    {
        bool ok = JsonSyntaxChecker.Instance.TryCheck(Bytes(record), out RecordRejection rejection);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(rejection.Reason, Does.Contain("unpaired surrogate"));
        });
    }

    [TestCase("""{"\ud83d\ude00":"\\ud800"}""", true)]
    [TestCase("1 2", false)]
    [TestCase("", false)]
    [TestCase("  ", false)]
    [TestCase("[1,", false)]
    public void The_json_syntax_checker_still_accepts_one_value_and_rejects_the_rest(string record, bool valid) =>
        Assert.That(JsonSyntaxChecker.Instance.TryCheck(Bytes(record), out _), Is.EqualTo(valid));

    [TestCase("ab", -1)]
    [TestCase("\\ud800", 0)]
    [TestCase("x\\udc00", 1)]
    [TestCase("\\ud800\\udc00", -1)]
    [TestCase("\\ud800\\ud800\\udc00", 0)]
    [TestCase("\\\\ud800", -1)]
    [TestCase("\\n\\ud800", 2)]
    [TestCase("\\uD83D\\uDE00\\u00e9", -1)]
    [TestCase("\\ud800\\n", 0)]
    public void FindUnpairedSurrogate_finds_the_first_escape_that_is_not_text(string escaped, int expected) =>
        Assert.That(StringValues.FindUnpairedSurrogate(Bytes(escaped)), Is.EqualTo(expected));

    [TestCase("""{"sepal_length":6.9,"\ud800":1}""")]
    [TestCase("""{"sepal_length":6.9,"sepal_width":"\ud800"}""")]
    public void Decoding_a_poco_turns_any_failure_of_the_serializer_into_a_StreamFormatException(string record)
    {
        Assert.That(() => JsonRecordEncoding.Default.Decode<IrisRecord>(Bytes(record)), Throws.InstanceOf<StreamFormatException>());
        Assert.That(() => JsonRecordEncoding.Default.Decode<Dictionary<string, string>>(Bytes(record)), Throws.InstanceOf<StreamFormatException>());
    }

    [Test]
    public void A_json_string_record_that_is_not_text_is_a_StreamFormatException() =>
        Assert.That(() => JsonRecordEncoding.Default.Decode<string>(Bytes("\"\\ud800\"")), Throws.InstanceOf<StreamFormatException>());
}
