using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3;
using FastScore.Streams.Rest;
using static FastScore.Streams.Tests.Descriptors.DescriptorAssert;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>The fluent builder gives the same validated descriptor as the JSON.</summary>
public sealed class BuilderTests
{
    private static readonly object[] s_equivalences =
    [
        new object[]
        {
            "kafka with schema",
            Packages.CreateBuilder().UseKafka(k => { k.BootstrapServers = ["b:9092"]; k.Topic = "in"; }).UseEncoding("json").UseSchema("""{"type":"int"}"""),
            """{"Transport": {"Type": "kafka", "BootstrapServers": ["b:9092"], "Topic": "in"}, "Encoding": "json", "Schema": {"type": "int"}}""",
        },
        new object[]
        {
            "file csv",
            Packages.CreateBuilder().UseFile("/data/in.csv").UseEncoding("CSV").WithLoop().NoSchema(),
            """{"Transport": {"Type": "file", "Path": "/data/in.csv"}, "Encoding": "csv", "Loop": true, "Schema": null}""",
        },
        new object[]
        {
            "rest trip",
            Packages.CreateBuilder().UseRest().UseEncoding("json").UseBatching(null, 0),
            """{"Transport": "REST", "Encoding": "json", "Batching": {"NagleTime": 0, "Watermark": null}}""",
        },
        new object[]
        {
            "rest chunked explicit",
            Packages.CreateBuilder().UseRest(RestMode.Chunked).UseEncoding("utf8").UseBatching("explicit").WithLingerTime(null),
            """{"Transport": {"Type": "REST", "Mode": "chunked"}, "Encoding": "utf-8", "Batching": "explicit", "LingerTime": null}""",
        },
        new object[]
        {
            "s3",
            Packages.CreateBuilder().UseS3(s => { s.Bucket = "bkt"; s.ObjectKey = "k.jsons"; s.Region = "eu-west-1"; }).UseEncoding("json").WithDescription("in"),
            """{"Description": "in", "Transport": {"Type": "S3", "Bucket": "bkt", "ObjectKey": "k.jsons", "Region": "eu-west-1"}, "Encoding": "json"}""",
        },
        new object[]
        {
            "inline records",
            Packages.CreateBuilder().UseInline("1", "2", "3").UseEncoding("json").SkipToRecord(1),
            """{"Transport": {"Type": "inline", "Data": ["1", "2", "3"]}, "Encoding": "json", "SkipToRecord": 1}""",
        },
        new object[]
        {
            "inline chunk",
            Packages.CreateBuilder().UseInlineChunk("a\nb").UseEncoding("utf-8").UseEnvelope("delimited"),
            """{"Transport": {"Type": "inline", "Data": "a\nb"}, "Encoding": "utf-8", "Envelope": "delimited"}""",
        },
        new object[]
        {
            "inline binary",
            Packages.CreateBuilder().UseInline([new ReadOnlyMemory<byte>([1, 2])]).NoEncoding().UseSchema("bytes"),
            """{"Transport": {"Type": "inline", "DataBinary": ["AQI="]}, "Encoding": null, "Schema": "bytes"}""",
        },
        new object[]
        {
            "discard",
            Packages.CreateBuilder().UseDiscard(),
            """{"Transport": "discard"}""",
        },
        new object[]
        {
            "console",
            Packages.CreateBuilder().UseConsole().UseEncoding("json").InheritSchema(),
            """{"Transport": "console", "Encoding": "json", "Schema": "$inherit"}""",
        },
        new object[]
        {
            "file skip to",
            Packages.CreateBuilder().UseFile("/d/x").SkipTo(100).NoEnvelope().UseSchemaRef("double").UseEncoding("json"),
            """{"Transport": {"Type": "file", "Path": "/d/x"}, "SkipTo": 100, "Envelope": null, "Schema": {"$ref": "double"}, "Encoding": "json"}""",
        },
        new object[]
        {
            "tcp via UseTransport with fixed envelope",
            Packages.CreateBuilder().UseTransport(new TcpTransportDescriptor { Host = "h", Port = 7 }).UseEnvelope(new FixedEnvelopeDescriptor { Size = 8 }).UseEncoding(EncodingDescriptor.AvroBinary).UseSchema("\"long\""),
            """{"Transport": {"Type": "tcp", "Host": "h", "Port": 7}, "Envelope": {"Type": "fixed", "Size": 8}, "Encoding": "avro-binary", "Schema": "long"}""",
        },
        new object[]
        {
            "kafka earliest",
            Packages.CreateBuilder().UseKafka(k => { k.BootstrapServers = ["b:1"]; k.Topic = "t"; k.Group = "g"; k.Config["security.protocol"] = "SSL"; }).SkipToRecord(RecordPosition.Earliest),
            """{"Transport": {"Type": "kafka", "BootstrapServers": ["b:1"], "Topic": "t", "Group": "g", "Config": {"security.protocol": "SSL"}}, "SkipToRecord": "earliest"}""",
        },
    ];

    [TestCaseSource(nameof(s_equivalences))]
    public void Builder_gives_the_same_descriptor_as_json(string name, StreamDescriptorBuilder builder, string json)
    {
        StreamDescriptor built = builder.Build();
        StreamDescriptor parsed = Packages.Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(built, Is.EqualTo(parsed), name);
            Assert.That(built.ToJson(), Is.EqualTo(parsed.ToJson()), name);
        });
    }

    [Test]
    public void Builder_applies_the_default_envelope_table()
    {
        StreamDescriptor d = Packages.CreateBuilder().UseFile("/d/x.csv").UseEncoding("csv").Build();
        Assert.That(d.Envelope, Is.EqualTo(new DelimitedCsvEnvelopeDescriptor()));
    }

    [Test]
    public void Builder_reports_a_missing_transport() =>
        BuildFails(Packages.CreateBuilder().UseEncoding("json"), "Transport", "required field is missing");

    [Test]
    public void Builder_reports_a_missing_kafka_topic() =>
        BuildFails(Packages.CreateBuilder().UseKafka(k => k.BootstrapServers = ["b:9092"]), "Transport.Topic", "required field is missing");

    [Test]
    public void Builder_reports_bad_kafka_servers_with_the_json_path() =>
        BuildFails(Packages.CreateBuilder().UseKafka(k => { k.BootstrapServers = ["b"]; k.Topic = "t"; }), "Transport.BootstrapServers[0]", "\"host:port\"");

    [Test]
    public void Builder_reports_missing_s3_fields()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.CreateBuilder().UseS3(_ => { }).Build());
        Assert.That(ex!.Errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Transport.Bucket", "Transport.ObjectKey" }));
    }

    [Test]
    public void Builder_reports_an_unknown_encoding_name() =>
        BuildFails(Packages.CreateBuilder().UseRest().UseEncoding("jsno"), "Encoding", "'jsno' is not a known encoding", "Did you mean 'json'?");

    [Test]
    public void Builder_reports_an_unknown_envelope_name() =>
        BuildFails(Packages.CreateBuilder().UseFile("/d/x").UseEnvelope("framed"), "Envelope", "'framed' is not a known envelope");

    [Test]
    public void Builder_refuses_fixed_by_name() =>
        BuildFails(Packages.CreateBuilder().UseFile("/d/x").UseEnvelope("fixed"), "Envelope.Size", "required field is missing", "the shortcut \"fixed\" gives no Size");

    [Test]
    public void Builder_reports_an_unknown_batching_name() =>
        BuildFails(Packages.CreateBuilder().UseRest().UseBatching("norml"), "Batching", "Did you mean 'normal'?");

    [Test]
    public void Builder_reports_an_invalid_inline_schema() =>
        BuildFails(Packages.CreateBuilder().UseRest().UseEncoding("json").UseSchema("""{"type":"array"}"""), "Schema", "not a valid Avro schema");

    [Test]
    public void Builder_reports_schema_text_that_is_not_json() =>
        BuildFails(Packages.CreateBuilder().UseRest().UseEncoding("json").UseSchema("{\"type\": "), "Schema", "not valid JSON");

    [Test]
    public void Builder_accepts_a_bare_primitive_type_name() =>
        Assert.That(Packages.CreateBuilder().UseRest().UseEncoding("json").UseSchema("double").Build().Schema, Is.EqualTo(SchemaReference.Inline("\"double\"")));

    [Test]
    public void Builder_enforces_the_consistency_rules() =>
        BuildFails(Packages.CreateBuilder().UseRest().WithLoop(), "Loop", "needs a seekable transport");

    [Test]
    public void Builder_checks_refs_against_the_library()
    {
        var options = new StreamDescriptorOptions { SchemaLibrary = new SchemaLibrary() };
        BuildFails(Packages.CreateBuilder(options).UseRest().UseEncoding("json").UseSchemaRef("iris"), "Schema.$ref", "no schema named 'iris'");
    }

    [Test]
    public void Builder_normalises_an_encoding_descriptor_spelling()
    {
        StreamDescriptor d = Packages.CreateBuilder().UseRest().UseEncoding(new EncodingDescriptor("UTF8")).UseSchema("string").Build();
        Assert.That(d.Encoding, Is.EqualTo(EncodingDescriptor.Utf8));
    }

    [Test]
    public void Builder_rejects_an_encoding_descriptor_of_an_unknown_type() =>
        BuildFails(Packages.CreateBuilder().UseRest().UseEncoding(new EncodingDescriptor("yaml")), "Encoding", "'yaml' is not a known encoding");

    [Test]
    public void Builder_cannot_be_used_after_build()
    {
        StreamDescriptorBuilder builder = Packages.CreateBuilder().UseDiscard();
        builder.Build();
        Assert.Multiple(() =>
        {
            Assert.That(() => builder.UseEncoding("json"), Throws.InvalidOperationException);
            Assert.That(() => builder.WithLoop(), Throws.InvalidOperationException);
            Assert.That(() => builder.Build(), Throws.InvalidOperationException);
        });
    }

    [Test]
    public void Builder_cannot_be_used_after_a_failed_build()
    {
        StreamDescriptorBuilder builder = Packages.CreateBuilder();
        Assert.Throws<DescriptorException>(() => builder.Build());
        Assert.That(() => builder.UseDiscard(), Throws.InvalidOperationException);
    }

    [Test]
    public void Builder_inline_records_are_utf8()
    {
        var inline = (InlineTransportDescriptor)Packages.CreateBuilder().UseInline("é").Build().Transport;
        Assert.That(Encoding.UTF8.GetString(inline.Items[0].Span), Is.EqualTo("é"));
    }

    [Test]
    public void Validate_accepts_a_good_descriptor_made_with_new() =>
        Assert.That(() => new StreamDescriptor { Transport = new DiscardTransportDescriptor() }.Validate(), Throws.Nothing);

    [Test]
    public void Validate_reports_a_bad_descriptor_made_with_with()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": "REST"}""") with { Loop = true, LingerTime = -1 };
        var ex = Assert.Throws<DescriptorException>(() => d.Validate());
        Assert.That(ex!.Errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Loop", "LingerTime" }));
    }
}
