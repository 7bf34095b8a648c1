using FastScore.Streams.Descriptors;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Schemas;

/// <summary>
/// A stream's own schema must be readable by its model slot's schema (inputs), or able to read it (outputs), by the Avro
/// specification's resolution rules: Apache.Avro's CanRead is stricter (logical types, string/bytes, namespaces).
/// </summary>
public sealed class SchemaCompatibilityTests
{
    private static string R(string type, string name = "R") => $$"""{"type":"record","name":"{{name}}","fields":[{"name":"a","type":{{type}}}]}""";

    [TestCase("{\"type\":\"int\",\"logicalType\":\"date\"}", "\"int\"", "R", "R", Description = "a logical type over the same underlying type (same JSON values)")]
    [TestCase("\"string\"", "\"bytes\"", "R", "R", Description = "spec: string is promotable to bytes")]
    [TestCase("\"bytes\"", "\"string\"", "R", "R", Description = "spec: bytes is promotable to string")]
    [TestCase("\"int\"", "\"int\"", "x.R", "y.R", Description = "spec: records match by unqualified name")]
    public void An_input_stream_schema_the_spec_lets_the_model_read_is_accepted(string streamType, string modelType, string streamName, string modelName)
    {
        string dir = Directory.CreateTempSubdirectory("fss-review-").FullName;
        try
        {
            string path = Path.Combine(dir, "in.jsons");
            File.WriteAllText(path, "");
            var descriptor = StreamDescriptor.Parse($$"""{"Transport": {"Type": "file", "Path": "{{path}}"}, "Encoding": "json", "Schema": {{R(streamType, streamName)}}}""");
            var options = new StreamOpenOptions { Name = "in", Slot = 0, InheritedSchema = R(modelType, modelName) };
            Assert.DoesNotThrow(() => new StreamFactory().CreateInput(descriptor, options).DisposeAsync().AsTask().GetAwaiter().GetResult());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("\"int\"", "\"long\"", true)]
    [TestCase("\"int\"", "\"double\"", true)]
    [TestCase("\"long\"", "\"float\"", true)]
    [TestCase("\"float\"", "\"double\"", true)]
    [TestCase("\"long\"", "\"int\"", false)]
    [TestCase("\"double\"", "\"float\"", false)]
    [TestCase("\"string\"", "\"int\"", false)]
    [TestCase("\"null\"", "[\"null\", \"int\"]", true)]
    [TestCase("[\"null\", \"int\"]", "\"int\"", false)]
    [TestCase("[\"null\", \"int\"]", "[\"null\", \"long\"]", true)]
    [TestCase("{\"type\": \"array\", \"items\": \"int\"}", "{\"type\": \"array\", \"items\": \"double\"}", true)]
    [TestCase("{\"type\": \"map\", \"values\": \"string\"}", "{\"type\": \"map\", \"values\": \"int\"}", false)]
    [TestCase("{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\"]}", "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\", \"B\"]}", true)]
    [TestCase("{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\", \"B\"]}", "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"A\"]}", false)]
    [TestCase("{\"type\": \"fixed\", \"name\": \"F\", \"size\": 4}", "{\"type\": \"fixed\", \"name\": \"F\", \"size\": 8}", false)]
    public void Writer_field_types_resolve_as_the_Avro_specification_says(string writerType, string readerType, bool readable)
    {
        Assert.That(SchemaCompatibility.CanRead(Avro.Schema.Parse(R(readerType)), Avro.Schema.Parse(R(writerType))), Is.EqualTo(readable));
    }

    [Test]
    public void A_reader_field_missing_from_the_writer_needs_a_default_and_extra_writer_fields_are_ignored()
    {
        Avro.Schema writer = Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}""");
        Avro.Schema withDefault = Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"int","default":0}]}""");
        Avro.Schema withoutDefault = Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"c","type":"int"}]}""");
        Assert.Multiple(() =>
        {
            Assert.That(SchemaCompatibility.CanRead(withDefault, writer), Is.True);
            Assert.That(SchemaCompatibility.CanRead(withoutDefault, writer), Is.False);
            Assert.That(SchemaCompatibility.CanRead(writer, Avro.Schema.Parse(R("\"int\"", "Other"))), Is.False, "records match by name");
        });
    }

    [Test]
    public void Recursive_schemas_resolve()
    {
        Avro.Schema list = Avro.Schema.Parse("""{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}""");
        Avro.Schema wider = Avro.Schema.Parse("""{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]}]}""");
        Assert.Multiple(() =>
        {
            Assert.That(SchemaCompatibility.CanRead(wider, list), Is.True);
            Assert.That(SchemaCompatibility.CanRead(list, wider), Is.False);
        });
    }
}
