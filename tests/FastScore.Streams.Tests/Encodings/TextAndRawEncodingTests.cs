using System.Buffers;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Tests.Encodings;

public sealed class Utf8RecordEncodingTests
{
    private static readonly Utf8RecordEncoding s_utf8 = Utf8RecordEncoding.Instance;

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void Decodes_text_and_bytes()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_utf8.Decode<string>(Bytes("héllo ☮")), Is.EqualTo("héllo ☮"));
            Assert.That(s_utf8.Decode<object>(Bytes("x")), Is.EqualTo("x"));
            Assert.That(s_utf8.Decode<byte[]>(Bytes("x")), Is.EqualTo(Bytes("x")));
            Assert.That(s_utf8.Decode<ReadOnlyMemory<byte>>(Bytes("x")).ToArray(), Is.EqualTo(Bytes("x")));
            Assert.That(s_utf8.Decode<string>([]), Is.Empty);
        });
    }

    [Test]
    public void Invalid_UTF8_is_a_StreamFormatException() =>
        Assert.That(() => s_utf8.Decode<string>([0x61, 0xFF, 0x62]), Throws.TypeOf<StreamFormatException>().With.Message.Contains("byte 1"));

    [Test]
    public void Other_host_types_are_not_supported() =>
        Assert.That(() => s_utf8.Decode<int>(Bytes("1")), Throws.TypeOf<NotSupportedException>());

    [Test]
    public void Encodes_text_and_bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        s_utf8.Encode("☮ ", output);
        s_utf8.Encode(Bytes("ok"), output);
        Assert.Multiple(() =>
        {
            Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Bytes("☮ ok")));
            Assert.That(() => s_utf8.Encode("\ud800", output), Throws.TypeOf<StreamFormatException>());
            Assert.That(() => s_utf8.Encode(3.5, output), Throws.TypeOf<NotSupportedException>());
        });
    }

    [TestCase("☮fastscore.end", ControlKind.End, null, null, null)]
    [TestCase("☮fastscore.set", ControlKind.Set, null, null, null)]
    [TestCase("☮fastscore.pig|1234|3476304987|misc-data", ControlKind.Pig, 1234, 3476304987L, "misc-data")]
    [TestCase("☮fastscore.pig||5", ControlKind.Pig, null, 5L, null)]
    [TestCase("☮fastscore.end|9", ControlKind.End, 9, null, null)]
    [TestCase("☮fastscore.end|1|2|a|b", ControlKind.End, 1, 2L, "a|b")]
    [TestCase("\\u262efastscore.set", ControlKind.Set, null, null, null)]
    [TestCase("\\u262efastscore.pig|3", ControlKind.Pig, 3, null, null)]
    public void Recognises_control_records(string record, ControlKind kind, int? id, long? timestamp, string? misc)
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_utf8.TryReadControl(Bytes(record), out ControlRecord control), Is.True);
            Assert.That(control, Is.EqualTo(new ControlRecord(kind, id, timestamp, misc)));
        });
    }

    [TestCase("hello")]
    [TestCase("☮fastscore.endless")]
    [TestCase("☮fastscore.stop")]
    [TestCase("☮fastscore.end|x")]
    [TestCase("☮ peace")]
    [TestCase("\\u262e")]
    [TestCase("")]
    public void Ordinary_records_are_not_control_records(string record) =>
        Assert.That(s_utf8.TryReadControl(Bytes(record), out _), Is.False);

    [Test]
    public void Writes_control_records_with_U_262E()
    {
        var output = new ArrayBufferWriter<byte>();
        s_utf8.WriteControl(new ControlRecord(ControlKind.End), output);
        var withProperties = new ArrayBufferWriter<byte>();
        s_utf8.WriteControl(new ControlRecord(ControlKind.Pig, 1234, 3476304987, "misc-data"), withProperties);
        Assert.Multiple(() =>
        {
            Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0xE2, 0x98, 0xAE }.Concat(Bytes("fastscore.end"))));
            Assert.That(Encoding.UTF8.GetString(withProperties.WrittenSpan), Is.EqualTo("☮fastscore.pig|1234|3476304987|misc-data"));
        });
    }

    [TestCase(ControlKind.Set, null, null, null)]
    [TestCase(ControlKind.Pig, 1, null, null)]
    [TestCase(ControlKind.End, null, 2L, null)]
    [TestCase(ControlKind.End, null, null, "only misc")]
    public void A_written_control_record_reads_back(ControlKind kind, int? id, long? timestamp, string? misc)
    {
        var control = new ControlRecord(kind, id, timestamp, misc);
        var output = new ArrayBufferWriter<byte>();
        s_utf8.WriteControl(control, output);
        Assert.Multiple(() =>
        {
            Assert.That(s_utf8.TryReadControl(output.WrittenSpan, out ControlRecord back), Is.True);
            Assert.That(back, Is.EqualTo(control));
        });
    }
}

public sealed class RawRecordEncodingTests
{
    private static readonly RawRecordEncoding s_raw = RawRecordEncoding.Instance;

    private static readonly byte[] s_endPrefix = [0xFA, .. "stscore.end"u8];

    [Test]
    public void Decodes_to_bytes_and_text()
    {
        byte[] record = [1, 2, 0xFF];
        Assert.Multiple(() =>
        {
            Assert.That(s_raw.Name, Is.Null);
            Assert.That(s_raw.Decode<byte[]>(record), Is.EqualTo(record));
            Assert.That(s_raw.Decode<object>(record), Is.EqualTo(record));
            Assert.That(s_raw.Decode<ReadOnlyMemory<byte>>(record).ToArray(), Is.EqualTo(record));
            Assert.That(s_raw.Decode<Memory<byte>>(record).ToArray(), Is.EqualTo(record));
            Assert.That(s_raw.Decode<string>("hé"u8), Is.EqualTo("hé"));
            Assert.That(() => s_raw.Decode<int>(record), Throws.TypeOf<NotSupportedException>());
        });
    }

    [Test]
    public void Encodes_bytes_as_they_are_and_text_as_UTF8()
    {
        var output = new ArrayBufferWriter<byte>();
        s_raw.Encode(new byte[] { 0, 1 }, output);
        s_raw.Encode((ReadOnlyMemory<byte>)new byte[] { 2 }, output);
        s_raw.Encode("é", output);
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 0, 1, 2, 0xC3, 0xA9 }));
    }

    [Test]
    public void Recognises_the_12_byte_control_prefix()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_raw.TryReadControl(s_endPrefix, out ControlRecord control), Is.True);
            Assert.That(control, Is.EqualTo(new ControlRecord(ControlKind.End)));
            Assert.That(s_raw.TryReadControl([0xFA, .. "stscore.pig"u8], out control), Is.True);
            Assert.That(control.Kind, Is.EqualTo(ControlKind.Pig));
        });
    }

    [Test]
    public void Reads_big_endian_id_and_timestamp_then_misc()
    {
        byte[] record = [.. s_endPrefix, 0, 0, 0, 0, 0, 0, 0x04, 0xD2, 0, 0, 0, 0, 0xCF, 0x34, 0xB3, 0x9B, .. "misc"u8];
        Assert.Multiple(() =>
        {
            Assert.That(s_raw.TryReadControl(record, out ControlRecord control), Is.True);
            Assert.That(control, Is.EqualTo(new ControlRecord(ControlKind.End, 1234, 3476337563, "misc")));
        });
    }

    [Test]
    public void Fewer_than_16_trailing_bytes_are_misc_only()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_raw.TryReadControl([.. s_endPrefix, .. "abc"u8], out ControlRecord control), Is.True);
            Assert.That(control, Is.EqualTo(new ControlRecord(ControlKind.End, Misc: "abc")));
        });
    }

    [Test]
    public void Ordinary_records_are_not_control_records()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_raw.TryReadControl("fastscore.end"u8.ToArray(), out _), Is.False);
            Assert.That(s_raw.TryReadControl([0xFA, .. "stscore.en"u8], out _), Is.False);
            Assert.That(s_raw.TryReadControl([0xFA, .. "stscore.off"u8], out _), Is.False);
            Assert.That(s_raw.TryReadControl([], out _), Is.False);
        });
    }

    [Test]
    public void Writes_control_records()
    {
        var bare = new ArrayBufferWriter<byte>();
        s_raw.WriteControl(new ControlRecord(ControlKind.End), bare);
        var full = new ArrayBufferWriter<byte>();
        s_raw.WriteControl(new ControlRecord(ControlKind.Set, 1234, 3476337563, "m"), full);
        Assert.Multiple(() =>
        {
            Assert.That(bare.WrittenSpan.ToArray(), Is.EqualTo(s_endPrefix));
            Assert.That(full.WrittenSpan.ToArray(), Is.EqualTo((byte[])[0xFA, .. "stscore.set"u8, 0, 0, 0, 0, 0, 0, 0x04, 0xD2, 0, 0, 0, 0, 0xCF, 0x34, 0xB3, 0x9B, (byte)'m']));
        });
    }

    [Test]
    public void A_written_control_record_reads_back()
    {
        var control = new ControlRecord(ControlKind.Pig, -7, 1700000000000, "data");
        var output = new ArrayBufferWriter<byte>();
        s_raw.WriteControl(control, output);
        Assert.Multiple(() =>
        {
            Assert.That(s_raw.TryReadControl(output.WrittenSpan, out ControlRecord back), Is.True);
            Assert.That(back, Is.EqualTo(control));
        });
    }

    [Test]
    public void Missing_id_or_timestamp_are_written_as_zero()
    {
        var output = new ArrayBufferWriter<byte>();
        s_raw.WriteControl(new ControlRecord(ControlKind.End, Misc: "m"), output);
        s_raw.TryReadControl(output.WrittenSpan, out ControlRecord back);
        Assert.That(back, Is.EqualTo(new ControlRecord(ControlKind.End, 0, 0, "m")));
    }
}

public sealed class RecordEncodingsTests
{
    [Test]
    public void Creates_the_built_in_encodings()
    {
        Assert.Multiple(() =>
        {
            Assert.That(TestComponents.Encoding(null), Is.SameAs(RawRecordEncoding.Instance));
            Assert.That(TestComponents.Encoding(EncodingDescriptor.Json), Is.SameAs(JsonRecordEncoding.Default));
            Assert.That(TestComponents.Encoding(EncodingDescriptor.Utf8), Is.SameAs(Utf8RecordEncoding.Instance));
            Assert.That(TestComponents.Encoding(new EncodingDescriptor("utf8")), Is.SameAs(Utf8RecordEncoding.Instance));
            Assert.That(TestComponents.Encoding(EncodingDescriptor.Json, new System.Text.Json.JsonSerializerOptions()), Is.Not.SameAs(JsonRecordEncoding.Default));
        });
    }

    [Test]
    public void Avro_binary_and_csv_create_their_encodings()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => TestComponents.Encoding(EncodingDescriptor.AvroBinary), Throws.TypeOf<DescriptorException>().With.Message.Contains("Schema: the avro-binary encoding requires a schema"));
            Assert.That(TestComponents.Encoding(EncodingDescriptor.AvroBinary, schema: Avro.Schema.Parse("\"int\"")).Name, Is.EqualTo("avro-binary"));
            Assert.That(TestComponents.Encoding(new CsvEncodingDescriptor()).Name, Is.EqualTo("csv"));
            Assert.That(ComponentRegistry.Default.TryGetEncoding("bert", out _), Is.False);
        });
    }
}
