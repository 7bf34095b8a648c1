using FastScore.Streams.Descriptors;
using static FastScore.Streams.Tests.Descriptors.DescriptorAssert;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>Envelopes (§3), encodings (§4) and the default-envelope table.</summary>
public sealed class EnvelopeEncodingTests
{
    private const string File = """{"Type": "file", "Path": "/d/x"}""";

    private static StreamDescriptor ParseFile(string fields) => Packages.Parse($$"""{"Transport": {{File}}, {{fields}}}""");

    private static DescriptorError FileFails(string fields, string path, params string[] fragments) =>
        Fails($$"""{"Transport": {{File}}, {{fields}}}""", path, fragments);

    // ------------------------------------------------------------------ default envelope table (§3)

    [TestCase("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t"}""", "\"json\"", null)]
    [TestCase("""{"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t"}""", "\"csv\"", null)]
    [TestCase("\"REST\"", "\"json\"", null)]
    [TestCase("""{"Type": "udp", "Port": 1}""", "\"json\"", null)]
    [TestCase("""{"Type": "inline", "Data": ["1"]}""", "\"json\"", null)]
    [TestCase("""{"Type": "http", "Url": "http://h/x", "Chunked": true}""", "\"json\"", null)]
    [TestCase(File, "\"msgpack\"", null)]
    [TestCase(File, "\"soap-rpc\"", null)]
    [TestCase(File, "\"csv\"", EnvelopeTypes.DelimitedCsv)]
    [TestCase(File, "\"json\"", EnvelopeTypes.Delimited)]
    [TestCase(File, "\"utf-8\"", EnvelopeTypes.Delimited)]
    [TestCase(File, "null", EnvelopeTypes.Delimited)]
    [TestCase("""{"Type": "tcp", "Host": "h", "Port": 1}""", "\"json\"", EnvelopeTypes.Delimited)]
    [TestCase("""{"Type": "http", "Url": "http://h/x"}""", "\"json\"", EnvelopeTypes.Delimited)]
    [TestCase("""{"Type": "REST", "Mode": "chunked"}""", "\"json\"", EnvelopeTypes.Delimited)]
    [TestCase("""{"Type": "inline", "Data": "1\n2"}""", "\"json\"", EnvelopeTypes.Delimited)]
    public void Omitted_envelope_follows_the_default_table(string transport, string encoding, string? expected)
    {
        StreamDescriptor d = Packages.Parse($$"""{"Transport": {{transport}}, "Encoding": {{encoding}}}""");
        Assert.That(d.Envelope?.Type, Is.EqualTo(expected));
    }

    [Test]
    public void Avro_binary_over_a_file_defaults_to_no_envelope()
    {
        StreamDescriptor d = ParseFile("\"Encoding\": \"avro-binary\", \"Schema\": \"int\"");
        Assert.That(d.Envelope, Is.Null);
    }

    [Test]
    public void An_explicit_null_envelope_keeps_its_meaning()
    {
        StreamDescriptor d = ParseFile("\"Encoding\": \"json\", \"Envelope\": null");
        Assert.That(d.Envelope, Is.Null);
    }

    // ------------------------------------------------------------------ envelopes

    [TestCase("\"delimited\"")]
    [TestCase("\"Delimited\"")]
    [TestCase("""{"Type": "delimited"}""")]
    public void Delimited_defaults_to_a_newline_separator(string envelope) =>
        Assert.That(ParseFile($"\"Envelope\": {envelope}").Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor { Separator = "\n" }));

    [Test]
    public void Deliminated_is_read_as_delimited_with_a_warning()
    {
        StreamDescriptor d = ParseFile("\"Envelope\": \"deliminated\"");
        Assert.Multiple(() =>
        {
            Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
            Assert.That(d.Warnings.Single().Path, Is.EqualTo("Envelope"));
            Assert.That(d.Warnings.Single().Message, Does.Contain("old misspelling"));
        });
    }

    [Test]
    public void Delimited_separator_is_read() =>
        Assert.That(ParseFile("""  "Envelope": {"Type": "delimited", "Separator": "\r\n"}  """).Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor { Separator = "\r\n" }));

    [Test]
    public void Delimited_separator_must_not_be_empty() =>
        FileFails("""  "Envelope": {"Type": "delimited", "Separator": ""}  """, "Envelope.Separator", "non-empty string", "found \"\"");

    [Test]
    public void Fixed_reads_its_size() =>
        Assert.That(ParseFile("""  "Envelope": {"Type": "fixed", "Size": 16}  """).Envelope, Is.EqualTo(new FixedEnvelopeDescriptor { Size = 16 }));

    [Test]
    public void Fixed_needs_a_size() =>
        FileFails("""  "Envelope": {"Type": "fixed"}  """, "Envelope.Size", "required field is missing");

    [Test]
    public void Fixed_shortcut_explains_that_it_has_no_size() =>
        FileFails("""  "Envelope": "fixed"  """, "Envelope.Size", "the shortcut \"fixed\" gives no Size");

    [TestCase(0)]
    [TestCase(-4)]
    public void Fixed_size_must_be_positive(int size) =>
        FileFails($$"""  "Envelope": {"Type": "fixed", "Size": {{size}}}  """, "Envelope.Size", "positive integer", $"found {size}");

    [Test]
    public void Fixed_size_must_not_exceed_the_maximum_record_size() =>
        FileFails("""  "Envelope": {"Type": "fixed", "Size": 100, "MaxRecordSize": 10}  """, "Envelope.Size", "must not exceed MaxRecordSize (10)");

    [Test]
    public void Ocf_block_shortcut_takes_marker_and_codec_from_the_header()
    {
        StreamDescriptor d = ParseFile("\"Envelope\": \"ocf-block\", \"Encoding\": \"avro-binary\", \"Schema\": \"int\"");
        Assert.That(d.Envelope, Is.EqualTo(new OcfBlockEnvelopeDescriptor { SkipHeader = true, SyncMarker = null, Compress = null }));
    }

    [Test]
    public void Ocf_block_reads_every_field()
    {
        StreamDescriptor d = ParseFile("""
            "Envelope": {"Type": "ocf-block", "SyncMarker": "AAECAwQFBgcICQoLDA0ODw==", "Compress": "Deflate", "SkipHeader": false},
            "Encoding": "avro-binary", "Schema": "int"
            """);
        var ocf = (OcfBlockEnvelopeDescriptor)d.Envelope!;
        Assert.Multiple(() =>
        {
            Assert.That(ocf.SyncMarker!.Value.ToArray(), Is.EqualTo(Enumerable.Range(0, 16).Select(i => (byte)i).ToArray()));
            Assert.That(ocf.Compress, Is.EqualTo("deflate"));
            Assert.That(ocf.SkipHeader, Is.False);
        });
    }

    [Test]
    public void Ocf_block_sync_marker_must_be_16_bytes() =>
        FileFails("""  "Envelope": {"Type": "ocf-block", "SyncMarker": "AAEC"}, "Encoding": "avro-binary", "Schema": "int"  """, "Envelope.SyncMarker", "exactly 16 bytes", "found 3 bytes");

    [Test]
    public void Ocf_block_sync_marker_must_be_base64() =>
        FileFails("""  "Envelope": {"Type": "ocf-block", "SyncMarker": "!!"}, "Encoding": "avro-binary", "Schema": "int"  """, "Envelope.SyncMarker", "base64 text of 16 bytes");

    [Test]
    public void Ocf_block_without_header_needs_a_sync_marker() =>
        FileFails("""  "Envelope": {"Type": "ocf-block", "SkipHeader": false}, "Encoding": "avro-binary", "Schema": "int"  """, "Envelope.SyncMarker", "required when SkipHeader is false");

    [Test]
    public void Ocf_block_compress_must_be_a_known_codec() =>
        FileFails("""  "Envelope": {"Type": "ocf-block", "Compress": "lz4"}, "Encoding": "avro-binary", "Schema": "int"  """, "Envelope.Compress", "null, \"deflate\", \"snappy\" or \"zstandard\"", "found \"lz4\"");

    [TestCase("snappy", "snappy")]
    [TestCase("ZSTD", "zstandard")]
    [TestCase("Deflate", "deflate")]
    [TestCase("null", null)]
    public void Ocf_block_compress_reads_every_codec(string given, string? read) =>
        Assert.That(((OcfBlockEnvelopeDescriptor)ParseFile($$"""  "Envelope": {"Type": "ocf-block", "Compress": "{{given}}"}, "Encoding": "avro-binary", "Schema": "int"  """).Envelope!).Compress, Is.EqualTo(read));

    [Test]
    public void Delimited_csv_defaults()
    {
        StreamDescriptor d = ParseFile("\"Envelope\": \"delimited-csv\", \"Encoding\": \"csv\"");
        Assert.That(d.Envelope, Is.EqualTo(new DelimitedCsvEnvelopeDescriptor { Separator = "\r\n", SkipHeader = true, SkipBlankLines = true }));
    }

    [Test]
    public void Delimited_csv_reads_every_field()
    {
        StreamDescriptor d = ParseFile("""  "Envelope": {"Type": "delimited-csv", "Separator": "\n", "SkipHeader": false, "SkipBlankLines": false}, "Encoding": "csv"  """);
        Assert.That(d.Envelope, Is.EqualTo(new DelimitedCsvEnvelopeDescriptor { Separator = "\n", SkipHeader = false, SkipBlankLines = false }));
    }

    [Test]
    public void Delimited_csv_skip_header_must_be_boolean() =>
        FileFails("""  "Envelope": {"Type": "delimited-csv", "SkipHeader": "no"}, "Encoding": "csv"  """, "Envelope.SkipHeader", "expected true or false");

    [TestCase("reject", OversizePolicy.Reject)]
    [TestCase("Rejected", OversizePolicy.Reject)]
    [TestCase("skip", OversizePolicy.Reject)]
    [TestCase("drop", OversizePolicy.Reject)]
    [TestCase("Truncate", OversizePolicy.Truncate)]
    [TestCase("fail", OversizePolicy.Fail)]
    public void Max_record_size_and_on_oversize_are_read_on_any_envelope(string policy, OversizePolicy expected)
    {
        StreamDescriptor d = ParseFile($$"""  "Envelope": {"Type": "delimited", "MaxRecordSize": 1024, "OnOversize": "{{policy}}"}  """);
        Assert.Multiple(() =>
        {
            Assert.That(d.Envelope!.MaxRecordSize, Is.EqualTo(1024));
            Assert.That(d.Envelope.OnOversize, Is.EqualTo(expected));
        });
    }

    [Test]
    public void On_oversize_defaults_to_reject() =>
        Assert.That(ParseFile("\"Envelope\": {\"Type\": \"delimited\"}").Envelope!.OnOversize, Is.EqualTo(OversizePolicy.Reject));

    [Test]
    public void Max_record_size_defaults_to_8_MiB() =>
        Assert.That(ParseFile("\"Envelope\": \"delimited\"").Envelope!.MaxRecordSize, Is.EqualTo(8 * 1024 * 1024));

    [Test]
    public void Max_record_size_must_be_positive() =>
        FileFails("""  "Envelope": {"Type": "delimited", "MaxRecordSize": 0}  """, "Envelope.MaxRecordSize", "positive integer", "found 0");

    [Test]
    public void On_oversize_rejects_other_words() =>
        FileFails("""  "Envelope": {"Type": "delimited", "OnOversize": "rejct"}  """, "Envelope.OnOversize", "\"reject\" (or \"skip\"), \"fail\" or \"truncate\"", "found \"rejct\"", "Did you mean 'reject'?");

    [Test]
    public void Unknown_envelope_lists_the_known_ones() =>
        FileFails("\"Envelope\": \"delimted\"", "Envelope", "'delimted' is not a known envelope", "delimited, delimited-csv, fixed, ocf-block", "Did you mean 'delimited'?");

    [Test]
    public void Envelope_object_needs_a_type() =>
        FileFails("""  "Envelope": {"Separator": "\n"}  """, "Envelope.Type", "required field is missing");

    [Test]
    public void Envelope_fields_of_another_envelope_are_unknown() =>
        FileFails("""  "Envelope": {"Type": "delimited", "Size": 3}  """, "Envelope.Size", "unknown field of a delimited envelope");

    [Test]
    public void Envelope_of_the_wrong_type_is_an_error() =>
        FileFails("\"Envelope\": true", "Envelope", "found true");

    // ------------------------------------------------------------------ encodings

    [TestCase("\"json\"", EncodingTypes.Json)]
    [TestCase("\"JSON\"", EncodingTypes.Json)]
    [TestCase("\"utf-8\"", EncodingTypes.Utf8)]
    [TestCase("\"utf8\"", EncodingTypes.Utf8)]
    [TestCase("\"UTF-8\"", EncodingTypes.Utf8)]
    [TestCase("\"msgpack\"", EncodingTypes.MsgPack)]
    [TestCase("\"soap-rpc\"", EncodingTypes.SoapRpc)]
    [TestCase("""{"Type": "json"}""", EncodingTypes.Json)]
    public void Encoding_names_match_case_insensitively_and_take_canonical_spelling(string encoding, string expected) =>
        Assert.That(ParseFile($"\"Encoding\": {encoding}").Encoding, Is.EqualTo(new EncodingDescriptor(expected)));

    [Test]
    public void Avro_binary_is_read() =>
        Assert.That(ParseFile("\"Encoding\": \"avro-binary\", \"Schema\": \"int\"").Encoding, Is.EqualTo(EncodingDescriptor.AvroBinary));

    [Test]
    public void Encoding_null_means_raw_bytes()
    {
        StreamDescriptor d = ParseFile("\"Encoding\": null");
        Assert.That(d.Encoding, Is.Null);
    }

    [Test]
    public void Encoding_defaults_to_null() =>
        Assert.That(Packages.Parse($$"""{"Transport": {{File}}}""").Encoding, Is.Null);

    [Test]
    public void Csv_encoding_defaults()
    {
        StreamDescriptor d = ParseFile("\"Encoding\": \"csv\"");
        Assert.That(d.Encoding, Is.EqualTo(new CsvEncodingDescriptor { Delimiter = ",", QuoteCharacter = '"' }));
    }

    [Test]
    public void Csv_encoding_reads_its_parameters() =>
        Assert.That(ParseFile("""  "Encoding": {"Type": "csv", "Delimiter": "||", "QuoteCharacter": "'"}  """).Encoding,
            Is.EqualTo(new CsvEncodingDescriptor { Delimiter = "||", QuoteCharacter = '\'' }));

    [Test]
    public void Csv_quote_character_must_be_one_character() =>
        FileFails("""  "Encoding": {"Type": "csv", "QuoteCharacter": "''"}  """, "Encoding.QuoteCharacter", "exactly one character");

    [Test]
    public void Csv_delimiter_must_not_be_empty() =>
        FileFails("""  "Encoding": {"Type": "csv", "Delimiter": ""}  """, "Encoding.Delimiter", "non-empty string");

    [Test]
    public void Csv_delimiter_must_not_contain_the_quote() =>
        FileFails("""  "Encoding": {"Type": "csv", "Delimiter": "\""}  """, "Encoding.Delimiter", "must not contain the quote character");

    [Test]
    public void Unknown_encoding_lists_the_known_ones() =>
        FileFails("\"Encoding\": \"jsno\"", "Encoding", "'jsno' is not a known encoding", "avro-binary, csv, json, msgpack, soap-rpc, utf-8", "Did you mean 'json'?");

    [Test]
    public void Avro_as_an_encoding_name_suggests_avro_binary() =>
        FileFails("\"Encoding\": \"avro\"", "Encoding", "Did you mean 'avro-binary'?");

    [Test]
    public void Encoding_object_with_unknown_fields_is_an_error() =>
        FileFails("""  "Encoding": {"Type": "json", "Pretty": true}  """, "Encoding.Pretty", "unknown field of the json encoding");

    [Test]
    public void Encoding_object_needs_a_type() =>
        FileFails("""  "Encoding": {"Delimiter": ","}  """, "Encoding.Type", "required field is missing");

    [Test]
    public void Encoding_of_the_wrong_type_is_an_error() =>
        FileFails("\"Encoding\": 1", "Encoding", "an encoding name", "found 1");
}
