using FastScore.Streams.Descriptors;
using static FastScore.Streams.Tests.Descriptors.DescriptorAssert;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>The Schema field: $inherit, null, inline Avro (checked with Apache.Avro), and $ref through a schema library.</summary>
public sealed class SchemaFieldTests
{
    private static StreamDescriptor Parse(string schema, StreamDescriptorOptions? options = null, string encoding = "\"json\"") =>
        Packages.Parse($$"""{"Transport": "REST", "Encoding": {{encoding}}, "Schema": {{schema}}}""", options);

    private static DescriptorError SchemaFails(string schema, string path, params string[] fragments) =>
        Fails($$"""{"Transport": "REST", "Encoding": "json", "Schema": {{schema}}}""", path, fragments);

    [Test]
    public void Schema_defaults_to_inherit() =>
        Assert.That(Packages.Parse("""{"Transport": "REST"}""").Schema, Is.EqualTo(SchemaReference.Inherit));

    [Test]
    public void Inherit_is_read() => Assert.That(Parse("\"$inherit\"").Schema, Is.EqualTo(SchemaReference.Inherit));

    [Test]
    public void Null_turns_typing_off() => Assert.That(Parse("null").Schema, Is.EqualTo(SchemaReference.None));

    [TestCase("\"int\"", "\"int\"")]
    [TestCase("""{"type": "array", "items": "double"}""", """{"type":"array","items":"double"}""")]
    [TestCase("""["null", "string"]""", """["null","string"]""")]
    [TestCase("""{"type":"record","name":"r","fields":[{"name":"a","type":"int"}]}""", """{"type":"record","name":"r","fields":[{"name":"a","type":"int"}]}""")]
    public void Inline_schemas_are_kept_as_compact_json(string schema, string json) =>
        Assert.That(Parse(schema).Schema, Is.EqualTo(SchemaReference.Inline(json)));

    [Test]
    public void A_schema_given_as_json_text_is_read()
    {
        StreamDescriptor d = Parse("\"{\\\"type\\\": \\\"array\\\", \\\"items\\\": \\\"int\\\"}\"");
        Assert.That(d.Schema, Is.EqualTo(SchemaReference.Inline("""{"type":"array","items":"int"}""")));
    }

    [Test]
    public void A_bad_inline_schema_is_reported_with_avros_reason() =>
        SchemaFails("""{"type":"record","name":"r","fields":[{"name":"a","type":"blah"}]}""", "Schema", "not a valid Avro schema", "blah");

    [Test]
    public void An_unknown_type_object_is_reported() =>
        SchemaFails("""{"type": "foo"}""", "Schema", "not a valid Avro schema", "does not define a known Avro type");

    [Test]
    public void An_unknown_type_name_is_reported() =>
        SchemaFails("\"integer\"", "Schema", "\"integer\" is not an Avro type", "primitive type name");

    [Test]
    public void An_array_without_items_is_reported() =>
        SchemaFails("""{"type": "array"}""", "Schema", "not a valid Avro schema", "items");

    [Test]
    public void A_schema_of_the_wrong_json_type_is_reported() =>
        SchemaFails("42", "Schema", "an Avro schema (a type name, an object or an array)", "found 42");

    [Test]
    public void A_ref_is_read() => Assert.That(Parse("""{"$ref": "iris"}""").Schema, Is.EqualTo(SchemaReference.Ref("iris")));

    [Test]
    public void A_ref_takes_no_other_fields() =>
        SchemaFails("""{"$ref": "iris", "type": "int"}""", "Schema", "takes no other fields");

    [Test]
    public void A_ref_must_name_something() =>
        SchemaFails("""{"$ref": ""}""", "Schema.$ref", "non-empty string");

    [Test]
    public void A_ref_is_not_checked_without_a_library() =>
        Assert.That(Parse("""{"$ref": "anything"}""").Schema.Name, Is.EqualTo("anything"));

    [Test]
    public void A_ref_resolves_through_the_library()
    {
        var library = new SchemaLibrary().Register("iris", """{"type":"record","name":"iris","fields":[{"name":"a","type":"float"}]}""");
        StreamDescriptor d = Parse("""{"$ref": "iris"}""", new StreamDescriptorOptions { SchemaLibrary = library });
        Assert.That(library.Resolve(d.Schema)!.Name, Is.EqualTo("iris"));
    }

    [Test]
    public void A_missing_ref_is_an_error_listing_the_library()
    {
        var library = new SchemaLibrary().Register("iris", "\"double\"").Register("ints", """{"type":"array","items":"int"}""");
        FailsWith("""{"Transport": "REST", "Encoding": "json", "Schema": {"$ref": "irs"}}""", new StreamDescriptorOptions { SchemaLibrary = library },
            "Schema.$ref", "no schema named 'irs' in the schema library (known: ints, iris", "Did you mean 'iris'?");
    }

    [TestCase("double", Avro.Schema.Type.Double)]
    [TestCase("string", Avro.Schema.Type.String)]
    [TestCase("bytes", Avro.Schema.Type.Bytes)]
    public void A_ref_to_an_avro_primitive_resolves_to_the_primitive(string name, Avro.Schema.Type type)
    {
        var library = new SchemaLibrary();
        StreamDescriptor d = Parse($$"""{"$ref": "{{name}}"}""", new StreamDescriptorOptions { SchemaLibrary = library });
        Assert.That(library.Resolve(d.Schema)!.Tag, Is.EqualTo(type));
    }

    [Test]
    public void A_library_schema_named_like_a_primitive_wins()
    {
        var library = new SchemaLibrary().Register("double", """{"type":"array","items":"double"}""");
        Assert.That(library.Resolve(SchemaReference.Ref("double"))!.Tag, Is.EqualTo(Avro.Schema.Type.Array));
    }
}
