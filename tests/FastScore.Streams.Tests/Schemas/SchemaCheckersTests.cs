using FastScore.Streams.Descriptors;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Schemas;

public sealed class SchemaCheckersTests
{
    private static readonly byte[] s_invalidUtf8 = [0x61, 0xC3];

    [Test]
    public void Each_encoding_gets_its_checker()
    {
        Avro.Schema str = Avro.Schema.Parse("\"string\"");
        Assert.Multiple(() =>
        {
            Assert.That(TestComponents.Checker(Avro.Schema.Parse("\"int\""), EncodingDescriptor.Json), Is.TypeOf<JsonAvroSchemaChecker>());
            Assert.That(TestComponents.Checker(str, EncodingDescriptor.Utf8), Is.TypeOf<Utf8AvroSchemaChecker>());
            Assert.That(TestComponents.Checker(Avro.Schema.Parse("\"bytes\""), null), Is.TypeOf<BytesAvroSchemaChecker>());
            Assert.That(((AvroSchemaChecker)TestComponents.Checker(str, EncodingDescriptor.Utf8)).Schema, Is.SameAs(str));
        });
    }

    [Test]
    public void Without_a_schema_json_records_are_checked_for_syntax_only()
    {
        SchemaChecker checker = TestComponents.Checker(null, EncodingDescriptor.Json);
        Assert.Multiple(() =>
        {
            Assert.That(checker.TryCheck("""{"anything": [1, "goes"]}"""u8, out _), Is.True);
            Assert.That(checker.TryCheck("{nope"u8, out RecordRejection rejection), Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
            Assert.That(checker.TryCheck("1 2"u8, out _), Is.False);
            Assert.That(checker.TryCheck([(byte)'"', 0xFF, (byte)'"'], out _), Is.False);
        });
    }

    [Test]
    public void Without_a_schema_utf8_records_are_checked_for_UTF8_only()
    {
        SchemaChecker checker = TestComponents.Checker(null, EncodingDescriptor.Utf8);
        Assert.Multiple(() =>
        {
            Assert.That(checker.TryCheck("any text ☮"u8, out _), Is.True);
            Assert.That(checker.TryCheck(s_invalidUtf8, out RecordRejection rejection), Is.False);
            Assert.That(rejection, Is.EqualTo(new RecordRejection(RejectionKind.Encoding, "invalid UTF-8 at byte 1")));
        });
    }

    [Test]
    public void Without_a_schema_raw_records_are_all_accepted() =>
        Assert.That(TestComponents.Checker(null, null).TryCheck(s_invalidUtf8, out _), Is.True);

    [Test]
    public void The_utf8_checker_rejects_invalid_UTF8_by_encoding()
    {
        var checker = new Utf8AvroSchemaChecker(Avro.Schema.Parse("""["null","string"]"""));
        Assert.Multiple(() =>
        {
            Assert.That(checker.TryCheck("fine"u8, out _), Is.True);
            Assert.That(checker.TryCheck(s_invalidUtf8, out RecordRejection rejection), Is.False);
            Assert.That(rejection.Kind, Is.EqualTo(RejectionKind.Encoding));
        });
    }

    [Test]
    public void The_bytes_checker_accepts_every_record() =>
        Assert.That(new BytesAvroSchemaChecker(Avro.Schema.Parse("\"bytes\"")).TryCheck(s_invalidUtf8, out _), Is.True);

    [Test]
    public void A_schema_that_does_not_suit_the_encoding_is_a_descriptor_error()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => TestComponents.Checker(Avro.Schema.Parse("\"int\""), EncodingDescriptor.Utf8),
                Throws.TypeOf<DescriptorException>().With.Message.Contains("needs the schema \"string\""));
            Assert.That(() => TestComponents.Checker(Avro.Schema.Parse("\"string\""), null),
                Throws.TypeOf<DescriptorException>().With.Message.Contains("needs the schema \"bytes\""));
        });
    }

    [Test]
    public void Avro_binary_and_csv_have_registered_checkers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TestComponents.Checker(Avro.Schema.Parse("\"int\""), EncodingDescriptor.AvroBinary), Is.TypeOf<AvroBinarySchemaChecker>());
            Assert.That(() => TestComponents.Checker(null, EncodingDescriptor.AvroBinary), Throws.TypeOf<DescriptorException>().With.Message.Contains("requires a schema"));
            Assert.That(TestComponents.Checker(Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"""), new CsvEncodingDescriptor()), Is.TypeOf<CsvSchemaChecker>());
            Assert.That(TestComponents.Checker(Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"""), new CsvEncodingDescriptor()).TryCheck("x"u8, out RecordRejection rejection), Is.False);
            Assert.That(rejection.Reason, Does.Contain("$.a"));
        });
    }
}
