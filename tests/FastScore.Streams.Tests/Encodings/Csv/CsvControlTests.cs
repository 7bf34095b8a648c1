using System.Buffers;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Engine;
using FastScore.Streams.Tests.Engine;

namespace FastScore.Streams.Tests.Encodings.Csv;

/// <summary>Issue 14 step 3: the csv form of control records, <c>$fastscore.set[,id,timestamp,misc]</c> (docs/envelopes-encodings.md).</summary>
public sealed class CsvControlTests : EngineTestBase
{
    private static CsvRecordEncoding Encoding(string delimiter = ",", char quote = '"') =>
        new(new CsvFormat(delimiter, quote), CsvLayout.FromSchema(Avro.Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"text","type":"string"}]}""")));

    private static string Written(ControlRecord control, CsvRecordEncoding encoding)
    {
        var buffer = new ArrayBufferWriter<byte>();
        encoding.WriteControl(control, buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [TestCase(ControlKind.End, null, null, null, "$fastscore.end")]
    [TestCase(ControlKind.Set, 7, null, null, "$fastscore.set,7,")]
    [TestCase(ControlKind.Pig, 7, 1700000000000L, "a, \"b\"", "$fastscore.pig,7,1700000000000,\"a, \"\"b\"\"\"")]
    [TestCase(ControlKind.Set, null, 5L, null, "$fastscore.set,,5")]
    public void Control_rows_are_written_and_read_back(ControlKind kind, int? id, long? timestamp, string? misc, string text)
    {
        CsvRecordEncoding encoding = Encoding();
        var control = new ControlRecord(kind, id, timestamp, misc);
        Assert.Multiple(() =>
        {
            Assert.That(Written(control, encoding), Is.EqualTo(text));
            Assert.That(encoding.TryReadControl(System.Text.Encoding.UTF8.GetBytes(text), out ControlRecord read), Is.True);
            Assert.That(read, Is.EqualTo(control));
        });
    }

    [Test]
    public void The_streams_delimiter_and_quote_are_used()
    {
        CsvRecordEncoding encoding = Encoding(";;", '\'');
        var control = new ControlRecord(ControlKind.Pig, 1, 2, "x;;y");
        Assert.Multiple(() =>
        {
            Assert.That(Written(control, encoding), Is.EqualTo("$fastscore.pig;;1;;2;;'x;;y'"));
            Assert.That(encoding.TryReadControl("'$fastscore.end'"u8, out ControlRecord quoted), Is.True);
            Assert.That(quoted, Is.EqualTo(new ControlRecord(ControlKind.End)));
        });
    }

    [TestCase("$fastscore.ends")]
    [TestCase("$fastscore.set,x")]
    [TestCase("$fastscore.set,1,2,3,4")]
    [TestCase("$fastscore.later")]
    [TestCase("fastscore.set")]
    [TestCase("$fastscore.set,\"1")]
    [TestCase("")]
    public void Other_rows_are_data(string text) =>
        Assert.That(Encoding().TryReadControl(System.Text.Encoding.UTF8.GetBytes(text), out _), Is.False);

    [Test]
    public async Task A_set_row_in_a_csv_file_closes_a_batch_and_an_end_row_ends_the_stream()
    {
        string input = PathOf("in.csv");
        System.IO.File.WriteAllText(input, "text\r\na\r\n$fastscore.set\r\nb\r\n$fastscore.end\r\nnot read\r\n");
        string output = PathOf("out.csv");
        const string schema = """{"type":"record","name":"R","fields":[{"name":"text","type":"string"}]}""";
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, new StreamDescriptor { Transport = new FileTransportDescriptor { Path = input }, Envelope = new DelimitedCsvEnvelopeDescriptor(), Encoding = EncodingDescriptor.Csv, Schema = SchemaReference.Inline(schema) });
        engine.Attach(1, new StreamDescriptor { Transport = new FileTransportDescriptor { Path = output }, Envelope = new DelimitedCsvEnvelopeDescriptor(), Encoding = EncodingDescriptor.Csv, Schema = SchemaReference.Inline(schema) });

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(System.IO.File.ReadAllText(output), Does.StartWith("text\r\na\r\n").And.Contain("b\r\n").And.Not.Contain("not read"));
            Assert.That(Slot(engine, 0).Records, Is.EqualTo(2));
            Assert.That(engine.Inspect().Rejections, Is.Empty);
        });
    }
}
