using System.Text.Json;
using Avro.File;
using Avro.Generic;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using static FastScore.Streams.S3.Tests.Support.S3Tests;

namespace FastScore.Streams.S3.Tests;

/// <summary>Issue 14 point 6: an Avro object container file on S3, read and written by the engine (ocf-block + avro-binary).</summary>
[Category("Integration")]
public sealed class OcfObjectTests
{
    private const string Schema = """
        {"type":"record","name":"Reading","fields":[{"name":"sensor","type":"string"},{"name":"value","type":"double"},{"name":"flag","type":["null","boolean"]}]}
        """;

    private const int PerBlock = 100;

    private static readonly Avro.RecordSchema s_schema = (Avro.RecordSchema)Avro.Schema.Parse(Schema);

    private static GenericRecord Record(int i)
    {
        var r = new GenericRecord(s_schema);
        r.Add("sensor", $"s-{i % 7}");
        r.Add("value", i * 0.25);
        r.Add("flag", i % 3 == 0 ? null : (object)(i % 2 == 0));
        return r;
    }

    /// <summary>A deflate container file of 5 blocks; also returns where the third block starts.</summary>
    private static (byte[] File, long ThirdBlock) Container()
    {
        var stream = new MemoryStream();
        long third = 0;
        using (IFileWriter<GenericRecord> writer = DataFileWriter<GenericRecord>.OpenWriter(new GenericDatumWriter<GenericRecord>(s_schema), stream, Codec.CreateCodec(Codec.Type.Deflate), leaveOpen: true))
        {
            for (int b = 0; b < 5; b++)
            {
                for (int r = 0; r < PerBlock; r++)
                {
                    writer.Append(Record(b * PerBlock + r));
                }

                long end = writer.Sync();
                if (b == 1)
                {
                    third = end;
                }
            }
        }

        return (stream.ToArray(), third);
    }

    private static StreamDescriptor Ocf(string bucket, string key, string? compress = null) => new()
    {
        Transport = Transport(bucket, key),
        Envelope = new OcfBlockEnvelopeDescriptor { Compress = compress },
        Encoding = EncodingDescriptor.AvroBinary,
        Schema = SchemaReference.Inline(Schema),
        LingerTime = null,
    };

    private static async Task<List<GenericRecord>> Score(StreamDescriptor input, StreamDescriptor output, string bucket, string key)
    {
        await using var engine = new ScoringEngine(Factory());
        engine.LoadModel(new Identity());
        engine.Attach(0, input);
        engine.Attach(1, output);
        EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(engine.Inspect().Rejections, Is.Empty);
        using IFileReader<GenericRecord> reader = DataFileReader<GenericRecord>.OpenReader(new MemoryStream(await GetAsync(bucket, key)));
        return [.. reader.NextEntries];
    }

    [Test]
    public async Task An_ocf_object_is_scored_into_an_ocf_object_that_Apache_Avro_reads()
    {
        string bucket = await Server.CreateBucketAsync();
        (byte[] file, long third) = Container();
        await PutAsync(bucket, "in/readings.avro", file);

        List<GenericRecord> all = await Score(Ocf(bucket, "in/readings.avro"), Ocf(bucket, "out/readings.avro", "deflate"), bucket, "out/readings.avro");
        // Started mid-file the header is not read: the descriptor gives the sync marker and the codec.
        var headerless = new OcfBlockEnvelopeDescriptor { SyncMarker = file.AsMemory(file.Length - 16), Compress = "deflate" };
        List<GenericRecord> fromThird = await Score(Ocf(bucket, "in/readings.avro") with { SkipTo = third - 40, Envelope = headerless }, Ocf(bucket, "out/rest.avro"), bucket, "out/rest.avro");
        List<GenericRecord> fromBoundary = await Score(Ocf(bucket, "in/readings.avro") with { SkipTo = third, Envelope = headerless }, Ocf(bucket, "out/boundary.avro"), bucket, "out/boundary.avro");

        Assert.Multiple(() =>
        {
            Assert.That(all, Is.EqualTo(Enumerable.Range(0, 5 * PerBlock).Select(Record).ToList()));
            Assert.That(fromThird, Is.EqualTo(Enumerable.Range(2 * PerBlock, 3 * PerBlock).Select(Record).ToList()), "SkipTo (a ranged GET) inside the second block resynchronises after its sync marker");
            Assert.That(fromBoundary, Is.EqualTo(Enumerable.Range(2 * PerBlock, 3 * PerBlock).Select(Record).ToList()), "SkipTo at a block boundary starts there");
        });
    }

    private sealed class Identity : IModel<JsonElement, JsonElement>
    {
        public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
