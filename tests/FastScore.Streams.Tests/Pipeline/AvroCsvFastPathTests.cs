using System.Buffers;
using System.Text;
using FastScore.Streams.Encodings;
using FastScore.Streams.Encodings.AvroBinary;
using FastScore.Streams.Encodings.Csv;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Envelopes.Ocf;
using FastScore.Streams.Schemas;
using FastScore.Streams.Tests.Encodings.AvroBinary;
using FastScore.Streams.Tests.Envelopes;
using static FastScore.Streams.Tests.Encodings.AvroBinary.AvroTestData;

namespace FastScore.Streams.Tests.Pipeline;

/// <summary>
/// Issue 14 point 7, the fast paths input and output streams take for Avro and CSV records: each is taken where it
/// should be, and gives exactly what the usual way (check, then decode or encode) gives.
/// </summary>
public sealed class AvroCsvFastPathTests
{
    private const string CsvSchema = """{"type":"record","name":"R","fields":[{"name":"id","type":"int"},{"name":"name","type":["null","string"]},{"name":"amount","type":"double"}]}""";

    public sealed class CsvRow
    {
        public int Id { get; set; }

        public string? Name { get; set; }

        public double Amount { get; set; }
    }

    [Test]
    public void A_csv_checker_with_its_own_format_of_the_same_syntax_gets_the_checking_decoder()
    {
        // An input stream builds its encoding and its checker apart, each with its own CsvFormat: the checking decoder
        // (the one-pass path) must be made for them (it was not, when formats were compared by reference).
        CsvLayout layout = CsvLayout.FromSchema(Avro.Schema.Parse(CsvSchema));
        var encoding = new CsvRecordEncoding(new CsvFormat(",", '"'), layout);
        var checker = new CsvSchemaChecker(new CsvFormat(",", '"'), layout);
        CheckingDecoder<CsvRow>? decoder = encoding.CreateCheckingDecoder<CsvRow>(checker);
        Assert.That(decoder, Is.Not.Null);
        Assert.That(decoder!.TryDecodeValid("7,\"a,\"\"b\",2.5"u8, out CsvRow row), Is.True);
        Assert.That((row.Id, row.Name, row.Amount), Is.EqualTo((7, "a,\"b", 2.5)));
        Assert.That(decoder.TryDecodeValid("7,,2.5"u8, out row), Is.True);
        Assert.That(row.Name, Is.Null);
        Assert.That(decoder.TryDecodeValid("7,x,2.5,9"u8, out _), Is.False, "too many fields: the usual way rejects it");
        Assert.That(decoder.TryDecodeValid([(byte)'7', (byte)',', 0xC3, (byte)',', (byte)'2'], out _), Is.False, "not UTF-8: the usual way rejects it");

        Assert.That(encoding.CreateCheckingDecoder<CsvRow>(new CsvSchemaChecker(new CsvFormat(";", '"'), layout)), Is.Null, "another delimiter");
        Assert.That(encoding.CreateCheckingDecoder<CsvRow>(new CsvSchemaChecker(new CsvFormat(",", '\''), layout)), Is.Null, "another quote");
    }

    [Test]
    public void Floats_of_eight_and_nine_digits_parse_as_dotNET_parses_them()
    {
        // The shortest round-trip form of a float often has 8 or 9 digits: parsed by the exact double path, rounded once.
        var random = new Random(14);
        for (int i = 0; i < 200_000; i++)
        {
            float f = i % 3 == 0
                ? BitConverter.Int32BitsToSingle(random.Next(0x0080_0000, 0x7F00_0000)) // any normal float
                : (float)(Math.Pow(10, random.Next(-8, 9)) * random.NextDouble()); // where the fast paths apply
            f = i % 2 == 0 ? f : -f;
            foreach (string text in new[] { f.ToString("R", System.Globalization.CultureInfo.InvariantCulture), f.ToString("G9", System.Globalization.CultureInfo.InvariantCulture), ((double)f).ToString("R", System.Globalization.CultureInfo.InvariantCulture) })
            {
                byte[] bytes = Encoding.ASCII.GetBytes(text);
                Assert.That(CsvNumbers.TryParseFloat(bytes, out float parsed), Is.True, text);
                Assert.That(BitConverter.SingleToInt32Bits(parsed), Is.EqualTo(BitConverter.SingleToInt32Bits(float.Parse(text, System.Globalization.CultureInfo.InvariantCulture))), text);
            }
        }

        // Exactly halfway between two floats (as a double too): .NET decides, to even.
        Assert.That(CsvNumbers.TryParseFloat("16777217"u8, out float half), Is.True);
        Assert.That(half, Is.EqualTo(16777216f));
        Assert.That(CsvNumbers.TryParseFloat("16777219"u8, out half), Is.True);
        Assert.That(half, Is.EqualTo(16777220f));
        Assert.That(CsvNumbers.TryParseFloat("1.000000059604644775390625"u8, out half), Is.True);
        Assert.That(half, Is.EqualTo(1f));
    }

    [Test]
    public void An_avro_output_writes_flat_POCOs_valid_by_construction_and_checks_the_rest()
    {
        Avro.Schema iris = Parse(Iris);
        var encoding = new AvroBinaryRecordEncoding(iris);
        var checker = new AvroBinarySchemaChecker(Parse(Iris)); // an equal schema, another object
        ValidEncoder<IrisPoco>? valid = encoding.CreateValidEncoder<IrisPoco>(checker);
        Assert.That(valid, Is.Not.Null);

        var poco = new IrisPoco { SepalLength = 5.1f, SepalWidth = 3.5f, PetalLength = 1.4f, PetalWidth = 0.2f };
        using var batch = new OutputBatch();
        batch.BeginRecord();
        Assert.That(valid!.TryEncodeValid(poco, batch), Is.True);
        var usual = new ArrayBufferWriter<byte>();
        encoding.Encode(poco, usual);
        Assert.That(batch.CurrentRecord.ToArray(), Is.EqualTo(usual.WrittenSpan.ToArray()));
        Assert.That(checker.TryCheck(batch.CurrentRecord, out _), Is.True);

        Assert.That(encoding.CreateValidEncoder<ReadOnlyMemory<byte>>(checker), Is.Null, "bytes are checked");
        Assert.That(encoding.CreateValidEncoder<System.Text.Json.JsonElement>(checker), Is.Null, "JSON values are checked");
        Assert.That(encoding.CreateValidEncoder<IrisPoco>(new AvroBinarySchemaChecker(Parse(Rich))), Is.Null, "another schema");
        var rich = new AvroBinaryRecordEncoding(Parse(Rich));
        Assert.That(rich.CreateValidEncoder<RichPoco>(new AvroBinarySchemaChecker(Parse(Rich))), Is.Null, "arrays, maps and nested records are checked");
    }

    [Test]
    public void A_POCO_the_valid_encoder_cannot_write_leaves_the_batch_as_it_was()
    {
        const string Named = """{"type":"record","name":"N","fields":[{"name":"Name","type":"string"},{"name":"Note","type":["null","string"]}]}""";
        var encoding = new AvroBinaryRecordEncoding(Parse(Named));
        ValidEncoder<Person>? valid = encoding.CreateValidEncoder<Person>(new AvroBinarySchemaChecker(Parse(Named)));
        Assert.That(valid, Is.Not.Null);
        using var batch = new OutputBatch();
        batch.BeginRecord();
        Assert.That(valid!.TryEncodeValid(new Person { Name = new string('x', 5000), Note = "\uD800" }, batch), Is.False, "an unpaired surrogate is not text");
        Assert.That(batch.CurrentRecord.Length, Is.Zero);
        Assert.That(valid.TryEncodeValid(new Person { Name = "é", Note = null }, batch), Is.True);
        Assert.That(batch.CurrentRecord.ToArray(), Is.EqualTo(new byte[] { 4, 0xC3, 0xA9, 0 }));
    }

    [Test]
    public void The_ocf_block_framer_marks_the_records_its_skip_parse_read_against_the_streams_schema()
    {
        Avro.Schema iris = Parse(Iris);
        byte[] file = OcfBlockFramerTests.Write("deflate", [OcfBlockFramerTests.IrisRecords(5), OcfBlockFramerTests.IrisRecords(3)]);
        var framer = new OcfBlockFramer(new OcfReadOptions(iris));
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(file));
        int frames = 0;
        while (true)
        {
            FrameStatus status = framer.TryReadFrame(ref reader, true, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                break;
            }

            if (status == FrameStatus.Frame)
            {
                frames++;
                Assert.That(framer.LastFrameCheckedAgainst, Is.SameAs(framer.WriterSchema));
                Assert.That(framer.LastFrameCheckedAgainst!.Equals(iris), Is.True);
                Assert.That(new AvroBinarySchemaChecker(iris).TryCheck(frame.FirstSpan, out _), Is.True);
            }
            else
            {
                Assert.That(framer.LastFrameCheckedAgainst, Is.Null);
            }
        }

        Assert.That(frames, Is.EqualTo(8));

        // A file whose schema differs (but resolves) is transcoded: those records are checked by the stream as usual.
        const string Wider = """{"type":"record","name":"xgboost_input","fields":[{"name":"sepal_length","type":"float"},{"name":"sepal_width","type":"float"},{"name":"petal_length","type":"float"},{"name":"petal_width","type":"float"},{"name":"extra","type":"int","default":0}]}""";
        var transcoding = new OcfBlockFramer(new OcfReadOptions(Parse(Wider)));
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(file));
        int transcoded = 0;
        while (transcoding.TryReadFrame(ref reader, true, out _) is var status && status != FrameStatus.NeedMoreData)
        {
            if (status == FrameStatus.Frame)
            {
                transcoded++;
                Assert.That(transcoding.LastFrameCheckedAgainst, Is.Null);
            }
        }

        Assert.That(transcoded, Is.EqualTo(8));
    }

    public sealed class Person
    {
        public string Name { get; set; } = "";

        public string? Note { get; set; }
    }
}
