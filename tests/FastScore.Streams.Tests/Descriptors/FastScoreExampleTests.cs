using FastScore.Streams.Descriptors;
using FastScore.Streams.S3;
using FastScore.Streams.Rest;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>Every real FastScore descriptor of the examples library parses, verifies against its schemas and round-trips.</summary>
public sealed class FastScoreExampleTests
{
    private static SchemaLibrary Library() => SchemaLibrary.FromDirectory(DescriptorAssert.FixturePath("schemas"));

    public static IEnumerable<string> ExampleFiles() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fastscore-examples", "streams"), "*.json")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    [TestCaseSource(nameof(ExampleFiles))]
    public void Example_parses_and_verifies_with_the_schema_library(string file)
    {
        var options = new StreamDescriptorOptions { SchemaLibrary = Library() };
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", file), options);
        Assert.Multiple(() =>
        {
            Assert.That(d.Version, Is.EqualTo("1.2"));
            Assert.That(d.Warnings, Is.Empty);
        });
    }

    [TestCaseSource(nameof(ExampleFiles))]
    public void Example_round_trips_through_canonical_json(string file)
    {
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", file));
        string json = d.ToJson();
        StreamDescriptor again = Packages.Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(d));
            Assert.That(again.ToJson(), Is.EqualTo(json));
        });
    }

    [TestCaseSource(nameof(ExampleFiles))]
    public void Example_display_and_internal_forms_are_valid_json(string file)
    {
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", file));
        Assert.Multiple(() =>
        {
            Assert.That(() => System.Text.Json.JsonDocument.Parse(d.ToDisplayJson()).Dispose(), Throws.Nothing);
            Assert.That(() => System.Text.Json.JsonDocument.Parse(d.ToInternalJson()).Dispose(), Throws.Nothing);
        });
    }

    [Test]
    public void Every_example_schema_loads_into_the_library()
    {
        SchemaLibrary library = Library();
        Assert.That(library.Names, Is.EquivalentTo(new[]
        {
            "array-double", "close_price", "close_price_truth", "close_truth", "four-doubles", "lr-mont", "string",
            "tagged_mse", "xgboost_iris_input", "xgboost_iris_input_backtest", "xgboost_iris_output",
        }));
    }

    [Test]
    public void Four_doubles_input_reads_csv_with_an_explicit_delimited_envelope()
    {
        var options = new StreamDescriptorOptions { SchemaLibrary = Library() };
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", "four-doubles-input-file.json"), options);
        Assert.Multiple(() =>
        {
            Assert.That(d.Encoding, Is.EqualTo(new CsvEncodingDescriptor()));
            Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
            Assert.That(d.Schema, Is.EqualTo(SchemaReference.Ref("four-doubles")));
            Assert.That(options.SchemaLibrary!.Resolve(d.Schema)!.Tag, Is.EqualTo(Avro.Schema.Type.Record));
        });
    }

    [Test]
    public void Doubles_output_refers_to_the_avro_primitive_double()
    {
        var options = new StreamDescriptorOptions { SchemaLibrary = Library() };
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", "doubles-output-file.json"), options);
        Assert.Multiple(() =>
        {
            Assert.That(d.Schema, Is.EqualTo(SchemaReference.Ref("double")));
            Assert.That(options.SchemaLibrary!.Resolve(d.Schema)!.Tag, Is.EqualTo(Avro.Schema.Type.Double));
        });
    }

    [Test]
    public void S3_sts_input_keeps_the_assume_role_string_as_raw_json()
    {
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", "s3-sts-input.json"));
        var s3 = (S3TransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(s3.AssumeRoleWithSaml, Is.EqualTo("\"role\""));
            Assert.That(s3.AccessKeyId, Is.Null, "an empty AccessKeyID means the AWS credential chain");
            Assert.That(s3.Region, Is.EqualTo("us-east-2"));
            Assert.That(d.Encoding, Is.EqualTo(EncodingDescriptor.Json), "\"JSON\" matches case-insensitively");
            Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
        });
    }

    [Test]
    public void Rest_trip_keeps_its_low_latency_batching()
    {
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", "rest-trip.json"));
        Assert.Multiple(() =>
        {
            Assert.That(d.Transport, Is.EqualTo(new RestTransportDescriptor()));
            Assert.That(d.Batching, Is.EqualTo(new BatchingDescriptor(null, 0)));
            Assert.That(d.Envelope, Is.Null);
        });
    }

    [Test]
    public void Kafka_example_takes_the_kafka_defaults()
    {
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", "kafka_in.json"));
        var kafka = (KafkaTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(kafka.BootstrapServers, Is.EqualTo(new[] { "kafka:9092" }));
            Assert.That(kafka.Topic, Is.EqualTo("input"));
            Assert.That(kafka.Partition, Is.Zero);
            Assert.That(kafka.MaxWaitTime, Is.EqualTo(8388607));
            Assert.That(kafka.CommitOffset, Is.True);
            Assert.That(d.SkipToRecord, Is.EqualTo(RecordPosition.Latest));
            Assert.That(d.Loop, Is.False);
            Assert.That(d.Schema, Is.EqualTo(SchemaReference.Inherit));
        });
    }

    [Test]
    public void Looping_file_example_is_accepted()
    {
        StreamDescriptor d = Packages.ParseFile(DescriptorAssert.FixturePath("streams", "lr-input-file-stream.json"));
        Assert.That(d.Loop, Is.True);
    }
}
