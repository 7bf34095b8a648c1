using System.Text;
using System.Text.Json;
using Avro.File;
using Avro.Generic;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// Issue 14 point 5, end to end: bad Avro container files and bad CSV rows are rejected with slot, record number, byte
/// position and reason; the engine goes on and scores the records after them.
/// </summary>
public sealed class AvroCsvBadInputTests : EngineTestBase
{
    private const int PerBlock = 10;

    /// <summary>Writes an OCF file of <paramref name="blocks"/> blocks of <see cref="PerBlock"/> records (null codec), and returns its bytes and the positions where each block's sync marker starts.</summary>
    private static (byte[] File, List<int> BlockEnds) Blocks(int blocks)
    {
        var stream = new MemoryStream();
        using (IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(AvroCsvEngineTests.Iris), stream, Codec.CreateCodec(Codec.Type.Null), leaveOpen: true))
        {
            for (int b = 0; b < blocks; b++)
            {
                for (int r = 0; r < PerBlock; r++)
                {
                    writer.Append(AvroCsvEngineTests.IrisRecord(b * PerBlock + r));
                }

                writer.Sync();
            }
        }

        byte[] file = stream.ToArray();
        byte[] sync = file[^16..];
        var ends = new List<int>();
        for (int i = file.AsSpan().IndexOf(sync) + 16; i < file.Length;)
        {
            int next = file.AsSpan(i).IndexOf(sync);
            ends.Add(i + next);
            i += next + 16;
        }

        Assert.That(ends, Has.Count.EqualTo(blocks));
        return (file, ends);
    }

    private async Task<(ScoringEngine Engine, List<string> Species)> Run(byte[] file, EnvelopeDescriptor? envelope, EncodingDescriptor encoding, string extension = "avro")
    {
        string input = PathOf("in." + extension);
        await System.IO.File.WriteAllBytesAsync(input, file);
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, new StreamDescriptor
        {
            Transport = new FileTransportDescriptor { Path = input },
            Envelope = envelope,
            Encoding = encoding,
            Schema = SchemaReference.Inline(AvroCsvEngineTests.IrisSchema),
        });
        engine.Attach(1, File(output, schema: SchemaReference.None));
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        return (engine, [.. Lines(output).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sepal_length").GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    private static string[] SepalLengths(IEnumerable<int> records) =>
        [.. records.Select(i => ((double)AvroCsvEngineTests.IrisRecord(i)["sepal_length"]).ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static string Describe(ScoringEngine engine) => string.Join("\n", engine.Inspect().Rejections);

    [Test]
    public async Task A_wrong_sync_marker_rejects_its_block_and_the_engine_reads_on()
    {
        (byte[] file, List<int> ends) = Blocks(4);
        file[ends[1] + 3] ^= 0xFF; // the second block's sync marker

        (ScoringEngine engine, List<string> output) = await Run(file, new OcfBlockEnvelopeDescriptor(), EncodingDescriptor.AvroBinary);
        IReadOnlyList<RejectedRecord> rejections = engine.Inspect().Rejections;
        Assert.Multiple(() =>
        {
            Assert.That(rejections, Is.Not.Empty, Describe(engine));
            Assert.That(rejections.Select(r => r.Slot), Is.All.EqualTo(0));
            Assert.That(rejections[0].Reason, Does.Contain("sync marker"), Describe(engine));
            Assert.That(rejections[0].Position, Does.StartWith("byte "), Describe(engine));
            Assert.That(rejections[0].RecordNumber, Is.EqualTo(PerBlock + 1), Describe(engine));
            Assert.That(output.Take(PerBlock), Is.EqualTo(SepalLengths(Enumerable.Range(0, PerBlock))));
            Assert.That(output.TakeLast(PerBlock), Is.EqualTo(SepalLengths(Enumerable.Range(3 * PerBlock, PerBlock))), "the last block is read after resynchronising");
        });
    }

    [Test]
    public async Task A_truncated_container_file_rejects_the_cut_block_and_keeps_the_records_before_it()
    {
        (byte[] file, List<int> ends) = Blocks(3);
        byte[] cut = file[..(ends[2] - 40)];

        (ScoringEngine engine, List<string> output) = await Run(cut, new OcfBlockEnvelopeDescriptor(), EncodingDescriptor.AvroBinary);
        IReadOnlyList<RejectedRecord> rejections = engine.Inspect().Rejections;
        Assert.Multiple(() =>
        {
            Assert.That(output, Is.EqualTo(SepalLengths(Enumerable.Range(0, 2 * PerBlock))));
            Assert.That(rejections, Is.Not.Empty);
            Assert.That(rejections[0].RecordNumber, Is.EqualTo(2 * PerBlock + 1), Describe(engine));
            Assert.That(rejections[0].Position, Is.EqualTo($"byte {ends[1] + 16}"), Describe(engine));
            Assert.That(rejections[0].Reason, Does.Contain("cut short").Or.Contain("truncated").Or.Contain("ends"), Describe(engine));
        });
    }

    [Test]
    public async Task An_unknown_codec_rejects_every_block_and_the_engine_finishes()
    {
        (byte[] file, _) = Blocks(2);
        int codec = file.AsSpan().IndexOf("avro.codec\bnull"u8);
        Assert.That(codec, Is.GreaterThan(0));
        "lz4x"u8.CopyTo(file.AsSpan(codec + 11));

        (ScoringEngine engine, List<string> output) = await Run(file, new OcfBlockEnvelopeDescriptor(), EncodingDescriptor.AvroBinary);
        IReadOnlyList<RejectedRecord> rejections = engine.Inspect().Rejections;
        Assert.Multiple(() =>
        {
            Assert.That(output, Is.Empty);
            Assert.That(rejections, Has.Count.EqualTo(2 * PerBlock), Describe(engine));
            Assert.That(rejections[0].Reason, Does.Contain("unknown codec 'lz4x'"));
            Assert.That(rejections.Select(r => r.RecordNumber), Is.EqualTo(Enumerable.Range(1, 2 * PerBlock).Select(i => (long)i)));
            Assert.That(rejections.All(r => r.Position is not null && r.Slot == 0));
        });
    }

    [Test]
    public async Task Bytes_that_do_not_match_the_schema_reject_their_block_and_the_next_block_is_read()
    {
        (byte[] file, List<int> ends) = Blocks(3);
        int second = ends[0] + 16;
        // The second block: count, size, then its first record's first double; set the species length of its first record to a huge varint.
        int species = second + 2 + 2 + 8 * 3 + 1 + 8; // count (1 byte: 20), size (2 bytes), 3 doubles, union branch, double
        file[species] = 0xFE;

        (ScoringEngine engine, List<string> output) = await Run(file, new OcfBlockEnvelopeDescriptor(), EncodingDescriptor.AvroBinary);
        IReadOnlyList<RejectedRecord> rejections = engine.Inspect().Rejections;
        Assert.Multiple(() =>
        {
            Assert.That(rejections, Is.Not.Empty, Describe(engine));
            Assert.That(rejections[0].RecordNumber, Is.EqualTo(PerBlock + 1), Describe(engine));
            Assert.That(rejections[0].Position, Is.EqualTo($"byte {second}"), Describe(engine));
            Assert.That(output.Take(PerBlock), Is.EqualTo(SepalLengths(Enumerable.Range(0, PerBlock))));
            Assert.That(output.TakeLast(PerBlock), Is.EqualTo(SepalLengths(Enumerable.Range(2 * PerBlock, PerBlock))));
        });
    }

    [Test]
    public async Task Bad_csv_rows_are_rejected_with_their_reasons_and_the_rows_after_them_are_scored()
    {
        string text = "sepal_length,sepal_width,petal_length,petal_width,species\n"
            + "5.1,3.5,1.4,0.2,setosa\n"          // 1
            + "5.2,abc,1.4,0.2,setosa\n"          // 2: text in a float column
            + "5.3,3.5,1.4,setosa\n"              // 3: a wrong column count
            + "5.4,3.5,1.4,0.2,set\"osa\n"        // 4: a quote inside an unquoted field
            + "5.5,3.5,1.4,,\"virginica\"\n"      // 5
            + "5.6,3.5,1.4,0.2,\"open\n"          // 6: an unbalanced quote: the record runs on to the next quote, and is cut by MaxRecordSize
            + "5.7,3.5,1.4,0.2,setosa\n"
            + "5.8,3.5,1.4,0.2,setosa\n"
            + new string('x', 100) + "\n"
            + "end\"\n"                           // the next quote: the rest of record 6 is skipped up to here
            + "5.9,3.5,1.4,0.2,setosa\n";         // 7
        (ScoringEngine engine, List<string> output) = await Run(Encoding.UTF8.GetBytes(text), new DelimitedCsvEnvelopeDescriptor { MaxRecordSize = 64 }, EncodingDescriptor.Csv, "csv");
        IReadOnlyList<RejectedRecord> rejections = engine.Inspect().Rejections;
        string all = Describe(engine);
        Assert.Multiple(() =>
        {
            Assert.That(output, Is.EqualTo(new[] { "5.1", "5.5", "5.9" }), all);
            RejectedRecord floatColumn = rejections.Single(r => r.RecordNumber == 2);
            Assert.That(floatColumn.Kind, Is.EqualTo(FastScore.Streams.Schemas.RejectionKind.Schema));
            Assert.That(floatColumn.Reason, Does.Contain("$.sepal_width: \"abc\" is not a double"));
            Assert.That(floatColumn.Position, Is.EqualTo("byte 81"));
            Assert.That(floatColumn.Slot, Is.EqualTo(0));
            Assert.That(rejections.Single(r => r.RecordNumber == 3).Reason, Does.Contain("the record has 4 fields, not 5"), all);
            Assert.That(rejections.Single(r => r.RecordNumber == 4).Reason, Does.Contain("a quote inside an unquoted field"), all);
            Assert.That(rejections.Single(r => r.RecordNumber == 6).Reason, Does.Contain("still open (an unbalanced quote?)"), all);
        });
    }

    [Test]
    public async Task An_unbalanced_quote_at_the_end_of_a_csv_file_is_rejected_as_unbalanced()
    {
        string text = "sepal_length,sepal_width,petal_length,petal_width,species\r\n5.1,3.5,1.4,0.2,setosa\r\n5.2,3.5,1.4,0.2,\"setosa\r\n";
        (ScoringEngine engine, List<string> output) = await Run(Encoding.UTF8.GetBytes(text), new DelimitedCsvEnvelopeDescriptor(), EncodingDescriptor.Csv, "csv");
        RejectedRecord rejection = engine.Inspect().Rejections.Single();
        Assert.Multiple(() =>
        {
            Assert.That(output, Is.EqualTo(new[] { "5.1" }));
            Assert.That(rejection.RecordNumber, Is.EqualTo(2));
            Assert.That(rejection.Reason, Does.Contain("unbalanced quote"));
            Assert.That(rejection.Position, Is.EqualTo("byte 83"));
        });
    }
}
