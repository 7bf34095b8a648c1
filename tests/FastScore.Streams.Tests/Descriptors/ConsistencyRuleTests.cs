using FastScore.Streams.Descriptors;
using static FastScore.Streams.Tests.Descriptors.DescriptorAssert;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>The "Restrictions" of §4, each with a good and a bad case.</summary>
public sealed class ConsistencyRuleTests
{
    private const string Kafka = """{"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t"}""";
    private const string File = """{"Type": "file", "Path": "/d/x"}""";
    private const string InlineArray = """{"Type": "inline", "Data": ["1", "2"]}""";

    private static StreamDescriptor Parse(string transport, string fields) => Packages.Parse($$"""{"Transport": {{transport}}, {{fields}}}""");

    private static DescriptorError RuleFails(string transport, string fields, string path, params string[] fragments) =>
        Fails($$"""{"Transport": {{transport}}, {{fields}}}""", path, fragments);

    // Loop needs a seekable transport
    [TestCase(File)]
    [TestCase(Kafka)]
    [TestCase(InlineArray)]
    [TestCase("""{"Type": "http", "Url": "http://h/x"}""")]
    [TestCase("""{"Type": "s3", "Bucket": "bkt", "ObjectKey": "k"}""")]
    public void Loop_is_allowed_on_seekable_transports(string transport) =>
        Assert.That(Parse(transport, "\"Loop\": true").Loop, Is.True);

    [TestCase("\"REST\"", "a rest transport cannot rewind")]
    [TestCase("""{"Type": "tcp", "Host": "h", "Port": 1}""", "a tcp transport cannot rewind")]
    [TestCase("""{"Type": "http", "Url": "http://h/x", "Chunked": true}""", "an http transport cannot rewind")]
    public void Loop_is_refused_on_other_transports(string transport, string fragment) =>
        RuleFails(transport, "\"Loop\": true", "Loop", "true needs a seekable transport", fragment);

    // A boundary-preserving transport must have no framing
    [Test]
    public void Boundary_preserving_transport_refuses_an_envelope() =>
        RuleFails(Kafka, "\"Envelope\": \"delimited\"", "Envelope", "must be null: a kafka transport preserves record boundaries", "found 'delimited'");

    [Test]
    public void Simple_rest_refuses_an_envelope() =>
        RuleFails("\"REST\"", "\"Envelope\": \"delimited\"", "Envelope", "a rest transport in simple mode preserves record boundaries");

    [Test]
    public void Inline_array_refuses_an_envelope() =>
        RuleFails(InlineArray, "\"Envelope\": \"delimited\"", "Envelope", "with an array of records");

    [Test]
    public void Boundary_preserving_transport_accepts_a_null_envelope() =>
        Assert.That(Parse(Kafka, "\"Envelope\": null").Envelope, Is.Null);

    // avro-binary needs a schema
    [Test]
    public void Avro_binary_needs_a_schema() =>
        RuleFails(Kafka, "\"Encoding\": \"avro-binary\", \"Schema\": null", "Schema", "avro-binary encoding needs a schema", "found null");

    [Test]
    public void Avro_binary_accepts_an_inherited_schema() =>
        Assert.That(Parse(Kafka, "\"Encoding\": \"avro-binary\"").Schema, Is.EqualTo(SchemaReference.Inherit));

    // msgpack and avro-binary cannot use delimited framing
    [TestCase("avro-binary", "delimited")]
    [TestCase("msgpack", "delimited")]
    [TestCase("msgpack", "delimited-csv")]
    public void Self_delimiting_encodings_refuse_delimited_framing(string encoding, string envelope) =>
        RuleFails(File, $"\"Encoding\": \"{encoding}\", \"Envelope\": \"{envelope}\", \"Schema\": \"int\"", "Envelope", $"'{envelope}' cannot frame {encoding} records");

    [Test]
    public void Avro_binary_accepts_fixed_framing() =>
        Assert.That(Parse(File, """ "Encoding": "avro-binary", "Envelope": {"Type": "fixed", "Size": 4}, "Schema": "int" """).Envelope, Is.TypeOf<FixedEnvelopeDescriptor>());

    // ocf-block needs avro-binary
    [Test]
    public void Ocf_block_needs_avro_binary() =>
        RuleFails(File, "\"Encoding\": \"json\", \"Envelope\": \"ocf-block\"", "Envelope", "'ocf-block' needs the avro-binary encoding", "found 'json'");

    [Test]
    public void Ocf_block_with_avro_binary_is_accepted() =>
        Assert.That(Parse(File, "\"Encoding\": \"avro-binary\", \"Envelope\": \"ocf-block\", \"Schema\": \"long\"").Envelope, Is.TypeOf<OcfBlockEnvelopeDescriptor>());

    // null encoding with a schema needs "bytes"; utf-8 needs "string"
    [Test]
    public void Null_encoding_accepts_the_bytes_schema() =>
        Assert.That(Parse(File, "\"Encoding\": null, \"Schema\": \"bytes\"").Schema, Is.EqualTo(SchemaReference.Inline("\"bytes\"")));

    [Test]
    public void Null_encoding_refuses_other_schemas() =>
        RuleFails(File, "\"Encoding\": null, \"Schema\": \"int\"", "Schema", "the null encoding (raw bytes) needs the schema \"bytes\"", "found \"int\"");

    [Test]
    public void Utf8_encoding_accepts_the_string_schema() =>
        Assert.That(Parse(File, "\"Encoding\": \"utf-8\", \"Schema\": \"string\"").Encoding, Is.EqualTo(EncodingDescriptor.Utf8));

    [Test]
    public void Utf8_encoding_refuses_other_schemas() =>
        RuleFails(File, """ "Encoding": "utf-8", "Schema": {"type":"record","name":"r","fields":[]} """, "Schema", "the utf-8 encoding needs the schema \"string\"", "the record schema 'r'");

    [Test]
    public void Utf8_encoding_checks_a_ref_when_the_library_is_given()
    {
        var options = new StreamDescriptorOptions { SchemaLibrary = new SchemaLibrary().Register("n", "\"int\"") };
        FailsWith($$$"""{"Transport": {{{File}}}, "Encoding": "utf-8", "Schema": {"$ref": "n"}}""", options, "Schema", "needs the schema \"string\"");
    }

    // SkipTo needs a seekable transport that does not preserve boundaries
    [Test]
    public void SkipTo_is_accepted_on_a_file() => Assert.That(Parse(File, "\"SkipTo\": 10").SkipTo, Is.EqualTo(10));

    [Test]
    public void SkipTo_is_refused_on_kafka() =>
        RuleFails(Kafka, "\"SkipTo\": 10", "SkipTo", "does not preserve record boundaries", "found a kafka transport", "Use SkipToRecord instead.");

    [Test]
    public void SkipTo_is_refused_on_rest() =>
        RuleFails("\"REST\"", "\"SkipTo\": 10", "SkipTo", "found a rest transport (cannot seek)");

    // SkipToRecord needs a seekable, boundary-preserving transport, and cannot be null for Kafka
    [Test]
    public void SkipToRecord_is_accepted_on_inline_arrays() =>
        Assert.That(Parse(InlineArray, "\"SkipToRecord\": 1").SkipToRecord, Is.EqualTo(RecordPosition.At(1)));

    [Test]
    public void SkipToRecord_is_refused_on_a_file() =>
        RuleFails(File, "\"SkipToRecord\": 1", "SkipToRecord", "preserves record boundaries", "found a file transport", "Use SkipTo (a byte offset) instead.");

    [Test]
    public void SkipToRecord_is_refused_on_udp() =>
        RuleFails("""{"Type": "udp", "Port": 1}""", "\"SkipToRecord\": \"earliest\"", "SkipToRecord", "found a udp transport (cannot seek)");

    [Test]
    public void SkipToRecord_cannot_be_null_for_kafka() =>
        RuleFails(Kafka, "\"SkipToRecord\": null", "SkipToRecord", "cannot be null for a kafka transport");

    [Test]
    public void SkipToRecord_defaults_to_latest_for_non_looping_kafka() =>
        Assert.That(Parse(Kafka, "\"Loop\": false").SkipToRecord, Is.EqualTo(RecordPosition.Latest));

    [Test]
    public void SkipToRecord_defaults_to_earliest_for_looping_kafka() =>
        Assert.That(Parse(Kafka, "\"Loop\": true").SkipToRecord, Is.EqualTo(RecordPosition.Earliest));

    [Test]
    public void SkipToRecord_defaults_to_null_elsewhere() =>
        Assert.That(Parse(InlineArray, "\"Loop\": true").SkipToRecord, Is.Null);

    // ODBC needs Encoding and Schema null
    [Test]
    public void Odbc_refuses_an_encoding() =>
        RuleFails("""{"Type": "odbc", "ConnectionString": "DSN=x", "SelectQuery": "SELECT 1"}""", "\"Encoding\": \"json\"", "Encoding", "must be null for an odbc transport", "found 'json'");

    [Test]
    public void Odbc_refuses_a_schema() =>
        RuleFails("""{"Type": "odbc", "ConnectionString": "DSN=x", "SelectQuery": "SELECT 1"}""", "\"Schema\": \"$inherit\"", "Schema", "must be null for an odbc transport", "found \"$inherit\"");

    // soap-rpc takes no schema
    [Test]
    public void Soap_rpc_defaults_to_no_schema() =>
        Assert.That(Parse("\"REST\"", "\"Encoding\": \"soap-rpc\"").Schema, Is.EqualTo(SchemaReference.None));

    [Test]
    public void Soap_rpc_refuses_a_schema() =>
        RuleFails("\"REST\"", "\"Encoding\": \"soap-rpc\", \"Schema\": {\"$ref\": \"x\"}", "Schema", "soap-rpc encoding takes no schema", "found {\"$ref\": \"x\"}");

    // delimited-csv needs csv encoding
    [Test]
    public void Delimited_csv_needs_csv() =>
        RuleFails(File, "\"Encoding\": \"json\", \"Envelope\": \"delimited-csv\"", "Envelope", "'delimited-csv' needs the csv encoding", "found 'json'");

    // csv needs a record schema, or (input only) none at all
    [Test]
    public void Csv_accepts_a_record_schema() =>
        Assert.That(Parse(File, """ "Encoding": "csv", "Schema": {"type":"record","name":"r","fields":[{"name":"a","type":"int"}]} """).Encoding, Is.TypeOf<CsvEncodingDescriptor>());

    [Test]
    public void Csv_accepts_no_schema_over_a_file() =>
        Assert.That(Parse(File, "\"Encoding\": \"csv\", \"Schema\": null").Schema, Is.EqualTo(SchemaReference.None));

    [Test]
    public void Csv_refuses_a_non_record_schema() =>
        RuleFails(File, "\"Encoding\": \"csv\", \"Schema\": \"int\"", "Schema", "the csv encoding needs a record schema", "found \"int\"");

    [Test]
    public void Csv_over_kafka_needs_a_schema() =>
        RuleFails(Kafka, "\"Encoding\": \"csv\", \"Schema\": null", "Schema", "has no header line, so it needs a record schema");

    [Test]
    public void Csv_with_a_plain_delimited_envelope_is_accepted() =>
        Assert.That(Parse(File, "\"Encoding\": \"csv\", \"Envelope\": \"delimited\"").Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));

    [Test]
    public void Rules_are_all_reported_together()
    {
        IReadOnlyList<DescriptorError> errors = Errors($$"""{"Transport": {{Kafka}}, "Loop": true, "SkipTo": 5, "Envelope": "ocf-block", "Encoding": "json", "Schema": null}""");
        Assert.That(errors.Select(e => e.Path), Is.SupersetOf(new[] { "SkipTo", "Envelope" }));
    }
}
