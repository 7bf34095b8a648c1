using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineRoutingTests : EngineTestBase
{
    [Test]
    public async Task Two_inputs_and_two_outputs_are_routed_by_slot()
    {
        string in0 = WriteFile("in0.txt", "a", "b", "c");
        string in2 = WriteFile("in2.txt", "x", "y");
        string out1 = PathOf("out1.txt");
        string out3 = PathOf("out3.txt");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Router());
        engine.Attach(0, File(in0, EncodingDescriptor.Utf8));
        engine.Attach(2, File(in2, EncodingDescriptor.Utf8));
        engine.Attach(1, File(out1, EncodingDescriptor.Utf8));
        engine.Attach(3, File(out3, EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(Lines(out1), Is.EqualTo(new[] { "a@0", "b@0", "c@0" }));
            Assert.That(Lines(out3), Is.EqualTo(new[] { "x@2", "y@2" }));
            Assert.That(inspection.Slots.Select(s => (s.Slot, s.IsInput, s.Records)),
                Is.EqualTo(new[] { (0, true, 3L), (1, false, 3L), (2, true, 2L), (3, false, 2L) }));
        });
    }

    [Test]
    public async Task The_engine_finishes_only_when_every_input_is_at_end_of_stream()
    {
        ChannelInput in0 = Input("in0").Write("a");
        ChannelInput in2 = Input("in2").Write("x");
        CollectingOutput out1 = Output("out1");
        CollectingOutput out3 = Output("out3");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Router());
        engine.Attach(0, Test("in0"));
        engine.Attach(1, Test("out1"));
        engine.Attach(2, Test("in2"));
        engine.Attach(3, Test("out3"));
        in0.Complete();
        await Until(() => Slot(engine, 0).EndOfStream, "slot 0 is at end of stream");
        await Until(() => out3.Count == 1 || Slot(engine, 2).Records == 1, "slot 2 delivered its record");
        Assert.Multiple(() =>
        {
            Assert.That(engine.State, Is.EqualTo(EngineState.Running), "slot 2 is still open");
            Assert.That(Slot(engine, 2).EndOfStream, Is.False);
        });

        in2.Write("y").Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(out1.Records, Is.EqualTo(new[] { "a@0" }));
            Assert.That(out3.Records, Is.EqualTo(new[] { "x@2", "y@2" }));
        });
    }

    [Test]
    public async Task A_model_emits_zero_one_or_many_outputs_per_record_to_slot_1_or_slot_3()
    {
        ChannelInput input = Input("in").Write("""{"to":1,"n":0}""", """{"to":1}""", """{"to":3,"n":3}""", """{"to":1,"n":2}""");
        input.Complete();
        CollectingOutput out1 = Output("out1");
        CollectingOutput out3 = Output("out3");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Emitter());
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json));
        engine.Attach(1, Test("out1", encoding: EncodingDescriptor.Json));
        engine.Attach(3, Test("out3", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(out1.Records, Is.EqualTo(new[] { """{"to":1}""", """{"to":1,"n":2}""", """{"to":1,"n":2}""" }));
            Assert.That(out3.Records, Is.EqualTo(Enumerable.Repeat("""{"to":3,"n":3}""", 3)));
        });
    }

    [TestCase(2, "Slot 2 is an input slot")]
    [TestCase(5, "No stream is attached to output slot 5")]
    public async Task Emitting_to_an_even_or_unattached_slot_is_a_model_error(int slot, string message)
    {
        ChannelInput input = Input("in").Write("""{"to":1}""", $$"""{"to":{{slot}}}""", """{"to":1,"n":2}""");
        input.Complete();
        CollectingOutput out1 = Output("out1");
        Output("out3");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip });
        engine.LoadModel(new Emitter());
        engine.Attach(0, Test("in", encoding: EncodingDescriptor.Json));
        engine.Attach(1, Test("out1", encoding: EncodingDescriptor.Json));
        engine.Attach(3, Test("out3", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(inspection.ModelErrors, Has.Count.EqualTo(1));
            Assert.That(inspection.ModelErrors[0].Slot, Is.EqualTo(0));
            Assert.That(inspection.ModelErrors[0].RecordNumber, Is.EqualTo(2));
            Assert.That(inspection.ModelErrors[0].Message, Does.Contain(message));
            Assert.That(out1.Records, Has.Count.EqualTo(3), "the records before and after are scored");
        });
    }

    [Test]
    public async Task Typed_inputs_and_outputs_are_decoded_and_encoded_by_the_slot_encodings()
    {
        string input = WriteFile("in.jsons", """{"Name":"a","Value":1.5}""", """{"Name":"b","Value":-2}""");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Doubler());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Score[] scores = [.. Lines(output).Select(l => JsonSerializer.Deserialize<Score>(l)!)];
        Assert.That(scores, Is.EqualTo(new[] { new Score("a", 3), new Score("b", -4) }));
    }

    internal sealed record Point(string Name, double Value);

    internal sealed record Score(string Name, double Doubled);

    private sealed class Doubler : IModel<Point, Score>
    {
        public ValueTask ActionAsync(Point input, RecordContext context, IModelOutput<Score> output, CancellationToken cancellationToken)
        {
            output.Emit(new Score(input.Name, input.Value * 2));
            return default;
        }
    }
}
