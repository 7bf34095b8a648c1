using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineControlRecordTests : EngineTestBase
{
    [Test]
    public async Task A_pig_passes_through_after_the_outputs_of_earlier_records()
    {
        string input = WriteFile("in.jsons", "1", "2", """{"$fastscore":"pig"}""", "3");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new PlusOne());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { "2", "3", """{"$fastscore":"pig"}""", "4" }));
            Assert.That(Slot(engine, 0).Records, Is.EqualTo(3), "control records are not data records");
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task A_pig_closes_the_pending_batch_and_reaches_every_output_with_its_properties()
    {
        ChannelInput input = Input("in").Write("a", "b", "\u262efastscore.pig|7|1234|hello", "c");
        input.Complete();
        CollectingOutput out1 = Output("out1");
        CollectingOutput out3 = Output("out3");
        var model = new TwoOutputBatches();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, Test("in", batching: new BatchingDescriptor(100, null)));
        engine.Attach(1, Test("out1"));
        engine.Attach(3, Test("out3", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(out1.Records, Is.EqualTo(new[] { "a+b", "\u262efastscore.pig|7|1234|hello", "c" }));
            Assert.That(out3.Records, Has.Count.EqualTo(3));
            Assert.That(out3.Records[0], Is.EqualTo("\"2\""), "a string in json");
            Assert.That(out3.Records[1], Does.Contain("\"$fastscore\":\"pig\"").And.Contains("\"id\":7").And.Contains("\"misc\":\"hello\""));
            Assert.That(out3.Records[2], Is.EqualTo("\"1\""));
        });
    }

    [Test]
    public async Task An_end_record_is_a_soft_end_of_stream_and_later_data_is_ignored()
    {
        string input = WriteFile("in.jsons", "1", "2", """{"$fastscore":"end"}""", "3", "4");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new PlusOne());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { "2", "3" }));
            Assert.That(Slot(engine, 0).EndOfStream, Is.True);
            Assert.That(Slot(engine, 0).Records, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task An_end_record_finishes_an_input_that_is_still_open()
    {
        ChannelInput input = Input("in").Write("a", "\u262efastscore.end", "b");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), "the transport never ended; the end record did");
        Assert.That(output.Records, Is.EqualTo(new[] { "a" }));
    }

    [TestCase("json")]
    [TestCase("utf-8")]
    [TestCase("null")]
    public async Task End_set_and_pig_are_understood_in_every_encoding_with_control_records(string encoding)
    {
        (EncodingDescriptor? descriptor, Func<string, byte[]> data, Func<string, byte[]> control) = encoding switch
        {
            "json" => (EncodingDescriptor.Json, (Func<string, byte[]>)(s => Encoding.UTF8.GetBytes($"\"{s}\"")), (Func<string, byte[]>)(k => Encoding.UTF8.GetBytes($$"""{"$fastscore":"{{k}}"}"""))),
            "utf-8" => (EncodingDescriptor.Utf8, s => Encoding.UTF8.GetBytes(s), k => Encoding.UTF8.GetBytes("\u262efastscore." + k)),
            _ => ((EncodingDescriptor?)null, s => Encoding.UTF8.GetBytes(s), k => [0xFA, .. "stscore."u8.ToArray(), .. Encoding.ASCII.GetBytes(k)]),
        };
        byte[][] records = [data("a"), data("b"), control("set"), data("c"), control("pig"), data("d"), control("end"), data("e")];
        string input = PathOf("in.bin");
        System.IO.File.WriteAllBytes(input, [.. records.SelectMany(r => r.Append((byte)'\n'))]);
        string output = PathOf("out.bin");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, File(input, batching: BatchingDescriptor.Explicit) with { Encoding = descriptor });
        engine.Attach(1, File(output) with { Encoding = descriptor });

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        byte[][] written = SplitLines(System.IO.File.ReadAllBytes(output));
        Assert.Multiple(() =>
        {
            Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b" }, ["c"], ["d"] }), "set and pig close batches; end closes the last one and e is ignored");
            Assert.That(written, Has.Length.EqualTo(4));
            Assert.That(written[2], Is.EqualTo(control("pig")), "the pig is written in the output's encoding, after the outputs of earlier records");
            Assert.That(Slot(engine, 0).EndOfStream, Is.True);
        });
    }

    [Test]
    public async Task A_model_writes_control_records_with_EmitControl()
    {
        string input = WriteFile("in.txt", "a", "b");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new SetMarker());
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { "\"a\"", """{"$fastscore":"set"}""", "\"b\"", """{"$fastscore":"set"}""", """{"$fastscore":"end"}""" }));
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(2), "control records are not counted as records");
        });
    }

    private static byte[][] SplitLines(byte[] bytes)
    {
        var lines = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[start..i]);
                start = i + 1;
            }
        }

        return [.. lines];
    }

    private sealed class TwoOutputBatches : IBatchModel<string, string>
    {
        public IReadOnlyList<SlotDefinition> Slots { get; } = [new(0), new(1), new(3)];

        public ValueTask ActionAsync(IReadOnlyList<string> inputs, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            output.Emit(string.Join("+", inputs));
            output.Emit(3, inputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return default;
        }
    }
}
