using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Engine;

/// <summary>Rejected records per slot, and schemas inherited from the model's slots.</summary>
public sealed class EngineSchemaTests : EngineTestBase
{
    private static readonly IReadOnlyList<SlotDefinition> IntSlots = [new(0, "\"int\""), new(1, "\"int\"")];

    [Test]
    public async Task A_bare_file_literal_inherits_the_model_slot_schema_and_its_records_are_checked()
    {
        string input = WriteFile("in.jsons", "1", "\"x\"", "2", "3.5", "4");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new PlusOne { Slots = IntSlots });
        StreamDescriptor source = StreamLiteral.Expand($"file:{input}");
        Assert.That(source.Schema, Is.EqualTo(SchemaReference.Inherit), "a literal leaves Schema out");
        engine.Attach(0, source);
        engine.Attach(1, StreamLiteral.Expand($"file:{output}"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { "2", "3", "5" }));
            Assert.That(Slot(engine, 0).RejectedBySchema, Is.EqualTo(2));
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.Zero);
            Assert.That(Slot(engine, 0).Records, Is.EqualTo(3), "rejected records are not counted as read");
            Assert.That(inspection.Rejections.Select(r => (r.Slot, r.RecordNumber, r.Kind, r.Preview)),
                Is.EqualTo(new[] { (0, 2L, RejectionKind.Schema, "\"x\""), (0, 4L, RejectionKind.Schema, "3.5") }));
            Assert.That(inspection.Rejections[0].Reason, Does.Contain("expected int"));
            Assert.That(inspection.Rejections[0].Position, Is.EqualTo("byte 2"));
        });
        lock (TestSchemaChecker.Created)
        {
            Assert.That(TestSchemaChecker.Created, Does.Contain(((string?)"int", (string?)"json")), "the checker was built from the inherited slot schema");
        }
    }

    [Test]
    public async Task A_descriptor_with_Schema_null_turns_checking_off_so_a_bad_record_fails_to_decode_instead()
    {
        string input = WriteFile("in.jsons", "1", "\"x\"", "2");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new PlusOne { Slots = IntSlots });
        engine.Attach(0, StreamLiteral.Expand($"file:{input}") with { Schema = SchemaReference.None });
        engine.Attach(1, StreamLiteral.Expand($"file:{output}"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { "2", "3" }));
            Assert.That(Slot(engine, 0).RejectedBySchema, Is.Zero);
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(1), "\"x\" is not an int");
        });
    }

    [Test]
    public async Task A_descriptor_schema_overrides_the_model_slot_schema()
    {
        string input = WriteFile("in.jsons", "\"a\"", "1", "\"b\"");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, File(input, schema: SchemaReference.Inline("\"string\"")));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "\"a\"", "\"b\"" }));
            Assert.That(Slot(engine, 0).RejectedBySchema, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Outputs_that_fail_the_output_schema_are_rejected_by_schema_on_the_output_slot()
    {
        ChannelInput input = Input("in").Write("1", "\"s\"", "2");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<JsonElement>());
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json, schema: SchemaReference.Inline("\"int\"")));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "1", "2" }));
            Assert.That(Slot(engine, 0).RejectedBySchema, Is.Zero);
            Assert.That(Slot(engine, 1).RejectedBySchema, Is.EqualTo(1));
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(2));
            Assert.That(inspection.Rejections.Single().Slot, Is.EqualTo(1));
            Assert.That(inspection.Rejections.Single().Preview, Is.EqualTo("\"s\""));
        });
    }

    [Test]
    public async Task Records_that_cannot_be_decoded_or_encoded_are_rejected_by_encoding_on_their_slot()
    {
        ChannelInput input = Input("in").Write("1", "{bad", "2", "[3]");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new PlusOne());
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Utf8)); // utf-8 cannot encode an int

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(2), "{bad and [3] are not ints");
            Assert.That(Slot(engine, 1).RejectedByEncoding, Is.EqualTo(2), "both outputs");
            Assert.That(output.Records, Is.Empty);
            Assert.That(inspection.Rejections.Select(r => (r.Slot, r.RecordNumber)), Is.EquivalentTo(new[] { (0, 2L), (0, 4L), (1, 1L), (1, 2L) }), "inputs and outputs are checked on different tasks");
            Assert.That(inspection.Rejections.First(r => r.Slot == 0).Position, Is.EqualTo("test@2"));
        });
    }

    private const string LongRecord = """{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}""";
    private const string IntRecord = """{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}""";
    private const string StringRecord = """{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}""";
    private const string WiderRecord = """{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "int"}]}""";

    private sealed class RecordIdentity : IModel<JsonElement, JsonElement>
    {
        public required IReadOnlyList<SlotDefinition> Slots { get; init; }

        public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }

    [Test]
    public async Task An_input_stream_schema_the_model_schema_can_read_is_accepted_and_records_are_checked_against_both()
    {
        string input = WriteFile("in.jsons", """{"a": 1}""", """{"a": 3000000000}""", """{"a": 2}""");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new RecordIdentity { Slots = [new(0, LongRecord), new(1)] });
        engine.Attach(0, File(input, schema: SchemaReference.Inline(IntRecord)));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { """{"a":1}""", """{"a":2}""" }));
            Assert.That(inspection.Rejections.Select(r => (r.Slot, r.RecordNumber, r.Kind)), Is.EqualTo(new[] { (0, 2L, RejectionKind.Schema) }));
            Assert.That(inspection.Rejections[0].Reason, Does.Contain("expected int"), "the stream's own schema is checked");
        });
    }

    [Test]
    public async Task A_record_valid_for_the_stream_schema_but_not_for_the_model_schema_is_rejected_by_schema()
    {
        // Avro resolution lets the model (a) read records with an extra field b; the record is still checked against the model's schema.
        string input = WriteFile("in.jsons", """{"a": 1, "b": 2}""");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new RecordIdentity { Slots = [new(0, LongRecord), new(1)] });
        engine.Attach(0, File(input, schema: SchemaReference.Inline(WiderRecord)));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.Empty);
            Assert.That(Slot(engine, 0).RejectedBySchema, Is.EqualTo(1));
            Assert.That(inspection.Rejections.Single().Reason, Does.Contain("$.b: unexpected field"));
        });
    }

    [Test]
    public void An_input_stream_schema_the_model_cannot_read_is_refused_when_attached()
    {
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new RecordIdentity { Slots = [new(0, LongRecord), new(1)] });
        var error = Assert.Throws<DescriptorException>(() => engine.Attach(0, File(WriteFile("in.jsons", """{"a": "x"}"""), schema: SchemaReference.Inline(StringRecord))));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Errors.Select(e => e.Path), Is.EqualTo(new[] { "Schema" }));
            Assert.That(error.Message, Does.Contain("not compatible with the model's schema for slot 0"));
            Assert.That(engine.Inspect().Slots.Any(s => s.Slot == 0), Is.False, "nothing was attached");
        });
    }

    [Test]
    public void A_stream_attached_first_is_refused_when_an_incompatible_model_is_loaded()
    {
        ScoringEngine engine = NewEngine();
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json, schema: SchemaReference.Inline(IntRecord)));
        var error = Assert.Throws<DescriptorException>(() => engine.LoadModel(new RecordIdentity { Slots = [new(0), new(1, LongRecord)] }));
        Assert.That(error!.Message, Does.Contain("the model writes").And.Contain("slot 1"), "an int field cannot hold every long the model writes");
    }

    [Test]
    public async Task An_output_stream_schema_that_can_read_what_the_model_writes_is_accepted()
    {
        ChannelInput input = Input("in").Write("""{"a": 5}""");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new RecordIdentity { Slots = [new(0), new(1, IntRecord)] });
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json, schema: SchemaReference.Inline(LongRecord)));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(output.Records, Is.EqualTo(new[] { """{"a":5}""" }));
    }
}
