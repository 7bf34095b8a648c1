using System.Buffers;
using FastScore.Streams.Encodings.AvroBinary;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Encodings.AvroBinary;

/// <summary>
/// Without dynamic code (Native AOT) avro-binary reads and writes host types through their JSON form; these tests run
/// that path directly (the JIT always supports dynamic code) and compare it with the reflection-built one.
/// </summary>
public sealed class AvroJsonFallbackTests
{
    [Test]
    public void The_JSON_fallback_reads_and_writes_an_iris_record_as_the_reflection_built_codec_does()
    {
        Avro.Schema schema = Parse(Iris);
        byte[] bytes = ApacheEncode(schema, IrisRecord(schema, 6.9f, 3.1f, 5.4f, 2.1f));
        var encoding = new AvroBinaryRecordEncoding(schema);

        var cursor = new AvroCursor(bytes);
        bool read = new AvroJsonValueReader<IrisPoco>(encoding.Plan).Read(ref cursor, out IrisPoco iris);
        var buffer = new ArrayBufferWriter<byte>();
        var output = new AvroOutput(buffer);
        bool written = new AvroJsonValueWriter<IrisPoco>(schema).Write(iris, ref output);
        output.Flush();
        bool atEnd = cursor.AtEnd;

        Assert.Multiple(() =>
        {
            Assert.That(read && atEnd, Is.True);
            Assert.That(iris.SepalLength, Is.EqualTo(6.9f));
            Assert.That(iris.PetalWidth, Is.EqualTo(2.1f));
            Assert.That(written, Is.True);
            Assert.That(buffer.WrittenSpan.ToArray(), Is.EqualTo(bytes));
        });
    }

    [Test]
    public void The_JSON_fallback_rejects_a_truncated_record_with_its_position()
    {
        Avro.Schema schema = Parse(Iris);
        byte[] bytes = ApacheEncode(schema, IrisRecord(schema, 6.9f, 3.1f, 5.4f, 2.1f));
        var encoding = new AvroBinaryRecordEncoding(schema);

        var cursor = new AvroCursor(bytes.AsSpan(0, 6));
        bool read = new AvroJsonValueReader<IrisPoco>(encoding.Plan).Read(ref cursor, out _);
        string described = cursor.Describe();

        Assert.Multiple(() =>
        {
            Assert.That(read, Is.False);
            Assert.That(described, Does.Contain("at byte"));
        });
    }
}
