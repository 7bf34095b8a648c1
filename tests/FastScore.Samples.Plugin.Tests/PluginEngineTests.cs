using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using FastScore.Samples.Iris;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Envelopes;

namespace FastScore.Samples.Plugin.Tests;

/// <summary>The engine runs a real model over the sample's transport, envelope and encoding, reading and writing real gzip files.</summary>
public sealed class PluginEngineTests
{
    /// <summary>The iris classifier over kv records: <c>id=…;sepal_length=…</c> in, <c>id=…;A=…;B=…;C=…;species=…</c> out.</summary>
    private sealed class IrisKvModel : IModel<IReadOnlyDictionary<string, string>, Dictionary<string, string>>
    {
        public ValueTask ActionAsync(IReadOnlyDictionary<string, string> input, RecordContext context, IModelOutput<Dictionary<string, string>> output, CancellationToken cancellationToken)
        {
            IrisOutput scores = IrisModel.Predict(ToIris(input));
            output.Emit(Scored(input["id"], scores));
            return default;
        }
    }

    private static IrisInput ToIris(IReadOnlyDictionary<string, string> kv) => new()
    {
        SepalLength = float.Parse(kv["sepal_length"], CultureInfo.InvariantCulture),
        SepalWidth = float.Parse(kv["sepal_width"], CultureInfo.InvariantCulture),
        PetalLength = float.Parse(kv["petal_length"], CultureInfo.InvariantCulture),
        PetalWidth = float.Parse(kv["petal_width"], CultureInfo.InvariantCulture),
    };

    private static Dictionary<string, string> Scored(string id, IrisOutput o) => new()
    {
        ["id"] = id,
        ["A"] = o.A.ToString("R", CultureInfo.InvariantCulture),
        ["B"] = o.B.ToString("R", CultureInfo.InvariantCulture),
        ["C"] = o.C.ToString("R", CultureInfo.InvariantCulture),
        ["species"] = o.PredictedSpecies,
    };

    private static readonly string[] s_flowers =
    [
        "id=1;sepal_length=6.9;sepal_width=3.1;petal_length=5.4;petal_width=2.1",
        "id=2;sepal_length=4.6;sepal_width=3.1;petal_length=1.5;petal_width=0.2",
        "id=3;sepal_length=5.7;sepal_width=2.6;petal_length=3.5;petal_width=1.0",
        "id=4;sepal_length=5.1;sepal_width=3.5;petal_length=1.4;petal_width=0.2",
        "id=5;sepal_length=6.3;sepal_width=3.3;petal_length=6.0;petal_width=2.5",
    ];

    private static string Netstring(string record) => $"{Encoding.UTF8.GetByteCount(record)}:{record},";

    private static void WriteGzip(string path, string content)
    {
        using FileStream file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(content));
    }

    private static byte[] ReadGzip(string path)
    {
        using FileStream file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Reads an output file back with the package's own framer and encoding.</summary>
    private static List<Dictionary<string, string>> ReadOutput(string path)
    {
        byte[] bytes = ReadGzip(path);
        var framer = new NetstringFramer();
        var kv = new KvRecordEncoding();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        var records = new List<Dictionary<string, string>>();
        while (framer.TryReadFrame(ref reader, isFinalBlock: true, out ReadOnlySequence<byte> frame) != FrameStatus.NeedMoreData)
        {
            records.Add(kv.Decode<Dictionary<string, string>>(frame.ToArray()));
        }

        Assert.That(reader.End, Is.True);
        return records;
    }

    [Test]
    public async Task The_engine_scores_gzip_netstring_kv_records_with_the_iris_model_and_rejects_bad_ones_with_their_position()
    {
        string dir = Directory.CreateTempSubdirectory("fss-plugin-").FullName;
        try
        {
            string input = Path.Combine(dir, "in.kv.gz");
            string output = Path.Combine(dir, "out.kv.gz");
            string bad1 = "x3:abc,";                                       // not a netstring: rejected by the envelope
            string bad2 = Netstring("id=9;sepal_length");                 // a netstring, but not kv: rejected by the encoding
            string content = Netstring(s_flowers[0]) + Netstring(s_flowers[1]) + bad1 + Netstring(s_flowers[2]) + bad2
                + Netstring(s_flowers[3]) + Netstring(s_flowers[4]);
            WriteGzip(input, content);
            long bad1At = Encoding.UTF8.GetByteCount(Netstring(s_flowers[0]) + Netstring(s_flowers[1]));
            long bad2At = bad1At + bad1.Length + Encoding.UTF8.GetByteCount(Netstring(s_flowers[2]));

            StreamFactoryOptions options = new StreamFactoryOptions().AddSamplePlugin();
            StreamDescriptorOptions read = options.CreateDescriptorOptions();
            await using var engine = new ScoringEngine(new StreamFactory(options));
            engine.LoadModel(new IrisKvModel(), "iris-kv");
            engine.Attach(0, StreamDescriptor.Parse($$"""{"Transport": {"Type": "gzip", "Path": "{{input}}"}, "Envelope": "netstring", "Encoding": "kv"}""", read));
            engine.Attach(1, StreamDescriptor.CreateBuilder(read).UseGzip(output, CompressionLevel.Fastest).UseNetstring().UseKv().Build());
            EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            EngineInspection inspection = engine.Inspect();

            List<Dictionary<string, string>> written = ReadOutput(output);
            int[] good = [0, 1, 2, 3, 4];
            Assert.Multiple(() =>
            {
                Assert.That(final, Is.EqualTo(EngineState.Finished), inspection.Error);
                Assert.That(written, Is.EqualTo(good.Select(i => Scored((i + 1).ToString(CultureInfo.InvariantCulture), IrisModel.Predict(ToIris(new KvRecordEncoding().Decode<IReadOnlyDictionary<string, string>>(Encoding.UTF8.GetBytes(s_flowers[i]))))))));
                Assert.That(written.Select(r => r["species"]), Is.EqualTo(new[] { "virginica", "setosa", "versicolor", "setosa", "virginica" }));
                Assert.That(inspection.Slots.Select(s => s.Records), Is.EqualTo(new long[] { 5, 5 }));
                Assert.That(inspection.Slots[0].RejectedByEncoding, Is.EqualTo(2));
                Assert.That(inspection.Rejections.Select(r => (r.Slot, r.RecordNumber, r.Position, r.Reason)), Is.EqualTo(new (int, long, string?, string)[]
                {
                    (0, 3, $"byte {bad1At}", "expected a digit or ':' at byte 0 of the netstring, found 'x'"),
                    (0, 5, $"byte {bad2At}", "Not a kv record: 'sepal_length' has no '=' (at byte 5 of the record)."),
                }));
                Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "in.kv.gz", "out.kv.gz" }), "no temporary file is left");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task A_rejects_stream_gets_kind_encoding_for_a_malformed_netstring_and_oversize_for_a_long_one()
    {
        string dir = Directory.CreateTempSubdirectory("fss-plugin-").FullName;
        try
        {
            string input = Path.Combine(dir, "in.kv.gz");
            string rejects = Path.Combine(dir, "rejects.jsons");
            string longRecord = "id=7;pad=" + new string('x', 150);
            WriteGzip(input, Netstring(s_flowers[0]) + "3:abcX" + Netstring(longRecord) + Netstring(s_flowers[1]));
            StreamFactoryOptions options = new StreamFactoryOptions().AddSamplePlugin();
            StreamDescriptorOptions read = options.CreateDescriptorOptions();
            var engineOptions = new EngineOptions { Rejects = StreamDescriptor.FromArgument("file:" + rejects, read) };
            await using var engine = new ScoringEngine(new StreamFactory(options), engineOptions);
            engine.LoadModel(new IrisKvModel());
            engine.Attach(0, StreamDescriptor.Parse($$"""{"Transport": {"Type": "gzip", "Path": "{{input}}"}, "Envelope": {"Type": "netstring", "MaxRecordSize": 100}, "Encoding": "kv"}""", read));
            engine.Attach(1, StreamDescriptor.CreateBuilder(read).UseDiscard().NoEnvelope().UseKv().Build());
            EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.That(final, Is.EqualTo(EngineState.Finished), engine.Inspect().Error);

            JsonElement[] documents = [.. File.ReadAllLines(rejects).Select(line => JsonDocument.Parse(line).RootElement)];
            Assert.That(documents, Has.Length.EqualTo(2));
            Assert.Multiple(() =>
            {
                Assert.That(documents[0].GetProperty("kind").GetString(), Is.EqualTo("encoding"));
                Assert.That(documents[0].GetProperty("reason").GetString(), Is.EqualTo("expected the terminator ',' after the netstring's 3 bytes, found 'X'"));
                Assert.That(documents[0].GetProperty("record").GetString(), Is.EqualTo("3:abcX"));
                Assert.That(documents[0].GetProperty("recordTruncated").GetBoolean(), Is.False);
                Assert.That(documents[0].GetProperty("position").GetProperty("byteOffset").GetInt64(), Is.EqualTo(Netstring(s_flowers[0]).Length));
                Assert.That(documents[1].GetProperty("kind").GetString(), Is.EqualTo("oversize"));
                Assert.That(documents[1].GetProperty("reason").GetString(), Is.EqualTo("the record is longer than MaxRecordSize (100 bytes)"));
                Assert.That(documents[1].GetProperty("recordTruncated").GetBoolean(), Is.True);
                Assert.That(engine.Inspect().Slots[0].Oversized, Is.EqualTo(1));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task A_missing_input_file_fails_the_run_naming_the_stream_and_the_field_and_leaves_the_output_untouched()
    {
        string dir = Directory.CreateTempSubdirectory("fss-plugin-").FullName;
        try
        {
            string output = Path.Combine(dir, "out.kv.gz");
            await File.WriteAllTextAsync(output, "the user's file");
            StreamFactoryOptions options = new StreamFactoryOptions().AddSamplePlugin();
            StreamDescriptorOptions read = options.CreateDescriptorOptions();
            await using var engine = new ScoringEngine(new StreamFactory(options));
            engine.LoadModel(new IrisKvModel());
            engine.Attach(0, StreamDescriptor.CreateBuilder(read).UseGzip(Path.Combine(dir, "missing.kv.gz")).UseNetstring().UseKv().Build(), "flowers");
            engine.Attach(1, StreamDescriptor.CreateBuilder(read).UseGzip(output).UseNetstring().UseKv().Build());
            EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            EngineInspection inspection = engine.Inspect();
            Assert.Multiple(() =>
            {
                Assert.That(final, Is.EqualTo(EngineState.Error));
                Assert.That(inspection.Error, Does.Contain("Stream 'flowers': gzip Transport.Path").And.Contain("missing.kv.gz"));
                Assert.That(File.ReadAllText(output), Is.EqualTo("the user's file"));
                Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EquivalentTo(new[] { "out.kv.gz" }));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public async Task A_corrupt_gzip_file_is_a_stream_error_naming_the_field()
    {
        string dir = Directory.CreateTempSubdirectory("fss-plugin-").FullName;
        try
        {
            string input = Path.Combine(dir, "in.kv.gz");
            WriteGzip(input, Netstring(s_flowers[0]));
            byte[] bytes = await File.ReadAllBytesAsync(input);
            bytes[12] ^= 0xFF; // inside the deflate data
            await File.WriteAllBytesAsync(input, bytes);
            StreamFactoryOptions options = new StreamFactoryOptions().AddSamplePlugin();
            StreamDescriptorOptions read = options.CreateDescriptorOptions();
            await using var engine = new ScoringEngine(new StreamFactory(options));
            engine.LoadModel(new IrisKvModel());
            engine.Attach(0, StreamDescriptor.CreateBuilder(read).UseGzip(input).UseNetstring().UseKv().Build(), "flowers");
            engine.Attach(1, StreamDescriptor.CreateBuilder(read).UseDiscard().NoEnvelope().UseKv().Build());
            EngineState final = await engine.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Multiple(() =>
            {
                Assert.That(final, Is.EqualTo(EngineState.Error));
                Assert.That(engine.Inspect().Error, Does.Contain("Stream 'flowers': gzip Transport.Path").And.Contain("is not valid gzip data"));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
