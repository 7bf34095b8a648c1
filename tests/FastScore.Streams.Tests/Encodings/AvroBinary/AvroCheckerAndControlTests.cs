using System.Buffers;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Schemas;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Encodings.AvroBinary;

/// <summary>
/// Issue 14 points 1 and 5: the avro-binary checker proves records valid without decoding them and rejects anything
/// else with the field, the byte position and the kind; control records have a documented avro-binary layout.
/// </summary>
public sealed class AvroCheckerAndControlTests
{
    private static AvroBinarySchemaChecker Checker(string schema) => new(Parse(schema));

    [Test]
    public void Every_record_Apache_Avro_writes_is_valid([Range(0, 11)] int seed)
    {
        Avro.Schema schema = Parse(Rich);
        byte[] bytes = ApacheEncode(schema, RichRecord(schema, seed));

        Assert.That(new AvroBinarySchemaChecker(schema).TryCheck(bytes, out RecordRejection rejection), Is.True, rejection.Reason);
    }

    [Test]
    public void Every_truncation_of_a_valid_record_is_rejected_by_encoding_with_a_position()
    {
        Avro.Schema schema = Parse(Rich);
        byte[] bytes = ApacheEncode(schema, RichRecord(schema, 5));
        var checker = new AvroBinarySchemaChecker(schema);

        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.That(checker.TryCheck(bytes.AsSpan(0, length), out RecordRejection rejection), Is.False, $"length {length}");
            Assert.That(rejection.Reason, Does.Match(@"^\$[^:]*: .+ at byte \d+$"), $"length {length}");
        }
    }

    [TestCase(new byte[] { 4 }, RejectionKind.Schema, "$: union branch 2 does not exist (the union has 2) at byte 0")]
    [TestCase(new byte[] { 2, 0x60 }, RejectionKind.Encoding, "$: truncated (a value of 48 bytes ends past the record) at byte 1")]
    [TestCase(new byte[] { 2, 2, 0xFF }, RejectionKind.Encoding, "$: a string that is not UTF-8 at byte 1")]
    [TestCase(new byte[] { 2, 1 }, RejectionKind.Encoding, "$: a negative length (-1) at byte 1")]
    [TestCase(new byte[] { 0, 0 }, RejectionKind.Encoding, "$: 1 bytes after the end of the record at byte 1")]
    [TestCase(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, RejectionKind.Encoding, "$: a variable-length long of more than 64 bits at byte 0")]
    public void Bytes_that_are_not_a_value_of_a_nullable_string_are_rejected_with_the_reason(byte[] record, RejectionKind kind, string reason)
    {
        Assert.That(Checker("""["null","string"]""").TryCheck(record, out RecordRejection rejection), Is.False);
        Assert.That(rejection, Is.EqualTo(new RecordRejection(kind, reason)));
    }

    [TestCase(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x10 }, "$.i: expected int, got 2147483648 at byte 0")]
    [TestCase(new byte[] { 0, 2 }, "$.b: expected boolean (0 or 1), got byte 2 at byte 1")]
    [TestCase(new byte[] { 0, 1, 6 }, "$.e: enum E has no symbol 3 (it has 2) at byte 2")]
    public void Values_outside_the_schema_are_rejected_by_schema_naming_the_field(byte[] record, string reason)
    {
        var checker = Checker("""{"type":"record","name":"R","fields":[{"name":"i","type":"int"},{"name":"b","type":"boolean"},{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]}""");

        Assert.That(checker.TryCheck(record, out RecordRejection rejection), Is.False);
        Assert.That(rejection, Is.EqualTo(new RecordRejection(RejectionKind.Schema, reason)));
    }

    [Test]
    public void A_huge_count_of_empty_items_is_rejected_instead_of_walked()
    {
        // an array of nulls claiming 2^40 items in 7 bytes
        byte[] record = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0];

        Assert.That(Checker("""{"type":"array","items":"null"}""").TryCheck(record, out RecordRejection rejection), Is.False);
        Assert.That(rejection.Reason, Does.Contain("array items that may be empty"));
    }

    [Test]
    public void Nesting_deeper_than_the_limit_is_rejected_not_a_stack_overflow()
    {
        // a linked list 100 000 nodes deep: each node is "branch 1, value 0"
        byte[] record = [.. Enumerable.Repeat(new byte[] { 0, 2 }, 100_000).SelectMany(b => b), 0, 0];
        var checker = Checker("""{"type":"record","name":"N","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","N"]}]}""");

        Assert.That(checker.TryCheck(record, out RecordRejection rejection), Is.False);
        Assert.That(rejection.Reason, Does.Contain("nested deeper than 64 levels"));
        Assert.Throws<StreamFormatException>(() => new AvroBinaryRecordEncoding(checker.Schema).Decode<Avro.Generic.GenericRecord>(record));
    }

    [Test]
    public void FastScores_runner_set_marker_is_a_set_control_record()
    {
        byte[] runner = [0x1C, 0x24, 0x66, 0x61, 0x73, 0x74, 0x73, 0x63, 0x6F, 0x72, 0x65, 0x2E, 0x73, 0x65, 0x74, 0x00, 0x00, 0x00];
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris));

        Assert.That(encoding.TryReadControl(runner, out ControlRecord control), Is.True);
        Assert.That(control, Is.EqualTo(new ControlRecord(ControlKind.Set)));
        var written = new ArrayBufferWriter<byte>();
        encoding.WriteControl(new ControlRecord(ControlKind.Set), written);
        Assert.That(written.WrittenSpan.ToArray(), Is.EqualTo(runner), "written exactly as the runner writes it");
    }

    [TestCase(ControlKind.End, null, null, null)]
    [TestCase(ControlKind.Pig, 7, 1700000000000L, "misc-data")]
    [TestCase(ControlKind.Set, -3, null, "m")]
    public void Control_records_round_trip_with_their_properties(ControlKind kind, int? id, long? timestamp, string? misc)
    {
        var encoding = new AvroBinaryRecordEncoding(Parse(Iris));
        var written = new ArrayBufferWriter<byte>();
        var control = new ControlRecord(kind, id, timestamp, misc);

        encoding.WriteControl(control, written);

        Assert.That(encoding.TryReadControl(written.WrittenSpan, out ControlRecord read), Is.True);
        Assert.That(read, Is.EqualTo(control));
        Assert.That(AvroControl.Measure([.. written.WrittenSpan, 1, 2, 3], out ControlRecord measured), Is.EqualTo(written.WrittenCount));
        Assert.That(measured, Is.EqualTo(control));
    }

    [Test]
    public void Ordinary_records_are_not_control_records()
    {
        Avro.Schema schema = Parse("\"string\"");
        var encoding = new AvroBinaryRecordEncoding(schema);

        Assert.That(encoding.TryReadControl(ApacheEncode(schema, "$fastscore.sex"), out _), Is.False);
        Assert.That(encoding.TryReadControl(ApacheEncode(Parse(Iris), IrisRecord(Parse(Iris), 1, 2, 3, 4)), out _), Is.False);
        Assert.That(encoding.TryReadControl([], out _), Is.False);
        Assert.That(AvroControl.Measure(ApacheEncode(schema, "plain"), out _), Is.EqualTo(-1));
        Assert.That(AvroControl.Measure([0x1C, 0x24, 0x66], out _), Is.EqualTo(0), "too short to tell");
    }
}
