using System.Buffers;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Envelopes;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Envelopes;

/// <summary>Issue 14 point 1: avro-binary is self-delimiting: a bare file of records is framed by its schema.</summary>
public sealed class AvroRecordFramerTests
{
    private static readonly Avro.Schema s_rich = Parse(Rich);

    private static byte[][] Records(int count) => [.. Enumerable.Range(0, count).Select(i => ApacheEncode(s_rich, RichRecord(s_rich, i)))];

    private static byte[] Control(ControlKind kind)
    {
        var buffer = new ArrayBufferWriter<byte>();
        AvroControl.Write(new ControlRecord(kind, 5), buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [Test]
    public void Concatenated_records_and_control_records_are_framed_in_any_chunking()
    {
        byte[][] records = [.. Records(6).Take(3), Control(ControlKind.Set), .. Records(6).Skip(3)];
        byte[] stream = [.. records.SelectMany(r => r)];

        foreach (int chunk in new[] { 0, 1, 3, 17, 100 })
        {
            OcfBlockFramerTests.OcfLog log = OcfBlockFramerTests.Read(new AvroRecordFramer(s_rich), stream, chunk);
            Assert.That(log.Rejected, Is.Empty, $"chunk {chunk}");
            Assert.That(log.Frames, Is.EqualTo(records), $"chunk {chunk}");
        }
    }

    [Test]
    public void A_record_cut_short_at_the_end_of_the_stream_is_rejected_after_the_whole_ones()
    {
        byte[][] records = Records(3);
        byte[] stream = [.. records.SelectMany(r => r)];

        OcfBlockFramerTests.OcfLog log = OcfBlockFramerTests.Read(new AvroRecordFramer(s_rich), stream[..^2], 10);

        Assert.That(log.Frames, Is.EqualTo(records[..2]));
        Assert.That(log.Rejected.Single().At, Is.EqualTo(records[0].Length + records[1].Length));
        Assert.That(log.Rejected.Single().Reason, Does.StartWith("the stream ends inside a record: $."));
    }

    [Test]
    public void Bytes_that_match_no_record_are_rejected_with_the_reason_and_the_rest_is_discarded()
    {
        Avro.Schema schema = Parse("""{"type":"record","name":"R","fields":[{"name":"u","type":["null","int"]}]}""");
        byte[] bad = [2, 4, 6, 0, 2, 8]; // u=2, then branch 3 (out of range)
        OcfBlockFramerTests.OcfLog log = OcfBlockFramerTests.Read(new AvroRecordFramer(schema), bad);

        Assert.That(log.Frames, Is.EqualTo(new[] { new byte[] { 2, 4 } }));
        Assert.That(log.Rejected.Single().Reason, Is.EqualTo("$.u: union branch 3 does not exist (the union has 2) at byte 0; a bare avro-binary stream has no sync markers, so the rest of the stream is discarded"));
    }

    [Test]
    public void A_record_longer_than_MaxRecordSize_is_rejected_and_the_next_one_read()
    {
        Avro.Schema schema = Parse("\"string\"");
        byte[] longOne = ApacheEncode(schema, new string('x', 300));
        byte[] shortOne = ApacheEncode(schema, "ok");

        OcfBlockFramerTests.OcfLog log = OcfBlockFramerTests.Read(new AvroRecordFramer(schema, maxRecordSize: 100), [.. longOne, .. shortOne]);

        Assert.That(log.Frames, Is.EqualTo(new[] { shortOne }));
        Assert.That(log.Rejected, Has.Count.EqualTo(1));
    }
}
