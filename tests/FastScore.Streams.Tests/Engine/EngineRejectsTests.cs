using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>Issue 17 point 1: every rejected record goes once to the rejects stream as a JSON reject document.</summary>
public sealed class EngineRejectsTests : EngineTestBase
{
    private const string Schema = """{"type":"record","name":"R","fields":[{"name":"x","type":"int"}]}""";

    [Test]
    public async Task Every_kind_of_rejection_becomes_one_reject_document_in_a_file()
    {
        string input = PathOf("in.jsons");
        byte[] bad = [0x7B, 0x22, 0x78, 0x22, 0x3A, 0xFF, 0xFE, 0x7D]; // {"x":<invalid UTF-8>}
        using (FileStream file = System.IO.File.Create(input))
        {
            file.Write("{\"x\":1}\n{\"x\":\"one\"}\n{\"x\":13}\n"u8);
            file.Write(bad);
            file.Write("\n{\"x\":2}\n"u8);
            file.Write(Encoding.UTF8.GetBytes("{\"x\":" + new string('9', 2000) + "}\n"));
            file.Write("{\"x\":3}\n"u8);
        }

        string output = PathOf("out.jsons");
        string rejects = PathOf("rejects.jsons");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip, Rejects = File(rejects, schema: SchemaReference.None) });
        engine.LoadModel(new ThrowsOn13());
        engine.Attach(0, File(input, schema: SchemaReference.Inline(Schema)) with { Envelope = new DelimitedEnvelopeDescriptor { MaxRecordSize = 64 } });
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        JsonElement[] docs = [.. Lines(rejects).Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.That(Lines(output), Is.EqualTo(new[] { """{"x":1}""", """{"x":2}""", """{"x":3}""" }));
        Assert.That(docs.Select(d => (d.GetProperty("recordNumber").GetInt64(), d.GetProperty("kind").GetString())),
            Is.EquivalentTo(new[] { (2L, "schema"), (4L, "encoding"), (6L, "oversize"), (3L, "model") }),
            "one document per rejected record, whatever the order the input and the model reported them in");
        Assert.That(docs, Has.Length.EqualTo(4));

        JsonElement schema = docs.Single(d => d.GetProperty("kind").GetString() == "schema");
        JsonElement encoding = docs.Single(d => d.GetProperty("kind").GetString() == "encoding");
        JsonElement oversize = docs.Single(d => d.GetProperty("kind").GetString() == "oversize");
        JsonElement model = docs.Single(d => d.GetProperty("kind").GetString() == "model");
        Assert.Multiple(() =>
        {
            Assert.That(schema.GetProperty("type").GetString(), Is.EqualTo("fastscore.reject"));
            Assert.That(schema.GetProperty("version").GetInt32(), Is.EqualTo(1));
            Assert.That(schema.GetProperty("slot").GetInt32(), Is.EqualTo(0));
            Assert.That(schema.GetProperty("stream").GetString(), Is.Not.Empty);
            Assert.That(schema.GetProperty("position").GetProperty("byteOffset").GetInt64(), Is.EqualTo(8));
            Assert.That(schema.GetProperty("position").GetProperty("text").GetString(), Is.EqualTo("byte 8"));
            Assert.That(schema.GetProperty("reason").GetString(), Does.Contain("$.x"));
            Assert.That(schema.GetProperty("recordEncoding").GetString(), Is.EqualTo("utf-8"));
            Assert.That(schema.GetProperty("record").GetString(), Is.EqualTo("""{"x":"one"}"""));
            Assert.That(schema.GetProperty("recordTruncated").GetBoolean(), Is.False);

            Assert.That(encoding.GetProperty("recordEncoding").GetString(), Is.EqualTo("base64"));
            Assert.That(Convert.FromBase64String(encoding.GetProperty("record").GetString()!), Is.EqualTo(bad));
            Assert.That(encoding.GetProperty("reason").GetString(), Does.Contain("UTF-8"));

            Assert.That(oversize.GetProperty("reason").GetString(), Does.Contain("MaxRecordSize (64 bytes)"));
            Assert.That(oversize.GetProperty("record").GetString(), Is.EqualTo("{\"x\":" + new string('9', 64 - 5)), "the start of an oversized record is kept (up to MaxRecordSize, at most 1 KiB)");
            Assert.That(oversize.GetProperty("recordTruncated").GetBoolean(), Is.True);

            Assert.That(model.GetProperty("reason").GetString(), Is.EqualTo("InvalidOperationException: 13 is unlucky"));
            Assert.That(model.GetProperty("record").GetString(), Is.EqualTo("""{"x":13}"""));
            Assert.That(model.GetProperty("position").ValueKind, Is.EqualTo(JsonValueKind.Null), "a byte stream's records carry no position past the input");
        });
    }

    [Test]
    public async Task A_record_is_acknowledged_only_once_its_reject_is_durable()
    {
        ChannelInput input = Input("in").Write("""{"x":1}""", "not json", """{"x":2}""", "{", """{"x":3}""");
        CollectingOutput rejects = Output("rejects");
        input.Watch = rejects;
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { Rejects = Test("rejects", encoding: EncodingDescriptor.Json, schema: SchemaReference.None) });
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        JsonElement[] docs = [.. rejects.Records.Select(r => JsonDocument.Parse(r).RootElement)];
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Has.Count.EqualTo(3));
            Assert.That(docs.Select(d => d.GetProperty("recordNumber").GetInt64()), Is.EqualTo(new[] { 2L, 4L }));
            Assert.That(docs.Select(d => d.GetProperty("position").GetProperty("text").GetString()), Is.EqualTo(new[] { "test@2", "test@4" }));
            Assert.That(docs.Select(d => d.GetProperty("record").GetString()), Is.EqualTo(new[] { "not json", "{" }));
            Assert.That(rejects.Completed, Is.True);
            Assert.That(input.Acknowledgements, Is.Not.Empty);
            foreach ((long message, int durableRejects) in input.Acknowledgements)
            {
                int rejectedUpTo = message >= 4 ? 2 : message >= 2 ? 1 : 0;
                Assert.That(durableRejects, Is.GreaterThanOrEqualTo(rejectedUpTo), $"when message {message} was acknowledged, its rejects were durable");
            }
        });
    }

    [Test]
    public async Task A_batch_that_the_model_fails_becomes_one_document_naming_its_records()
    {
        ChannelInput input = Input("in").Write("a", "b", "c", "d");
        input.Complete();
        CollectingOutput rejects = Output("rejects");
        Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip, Rejects = Test("rejects", encoding: EncodingDescriptor.Utf8, schema: SchemaReference.None) });
        engine.LoadModel(new FailingBatches("c"));
        engine.Attach(0, Test("in", batching: new BatchingDescriptor(2, null)));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        JsonElement doc = JsonDocument.Parse(rejects.Records.Single()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(doc.GetProperty("kind").GetString(), Is.EqualTo("model"));
            Assert.That(doc.GetProperty("recordNumber").GetInt64(), Is.EqualTo(3));
            Assert.That(doc.GetProperty("records").GetInt32(), Is.EqualTo(2));
            Assert.That(doc.TryGetProperty("record", out _), Is.False, "a batch model's records are not kept as bytes");
        });
    }

    [Test]
    public async Task A_rejects_stream_whose_encoding_cannot_carry_JSON_text_fails_the_run_saying_so()
    {
        Input("in").Complete();
        Output("out");
        Output("rejects");
        ScoringEngine engine = NewEngine(new EngineOptions { Rejects = Test("rejects", encoding: EncodingDescriptor.AvroBinary) });
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.That(engine.Inspect().Error, Does.Contain("rejects stream's Encoding is 'avro-binary'"));
    }

    private sealed class FailingBatches(string failOn) : IBatchModel<string, string>
    {
        public ValueTask ActionAsync(IReadOnlyList<string> inputs, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            if (inputs.Contains(failOn))
            {
                throw new InvalidOperationException("bad batch");
            }

            output.Emit(string.Join("+", inputs));
            return default;
        }
    }

    private sealed class ThrowsOn13 : IModel<JsonElement, JsonElement>
    {
        public IReadOnlyList<SlotDefinition> Slots { get; } = [new(0, Schema), new(1, Schema)];

        public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
        {
            if (input.GetProperty("x").GetInt32() == 13)
            {
                throw new InvalidOperationException("13 is unlucky");
            }

            output.Emit(input);
            return default;
        }
    }
}
