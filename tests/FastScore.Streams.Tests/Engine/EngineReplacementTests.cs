using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineReplacementTests : EngineTestBase
{
    [Test]
    public async Task Replacing_an_input_while_running_scores_everything_the_old_one_read_then_the_new_one()
    {
        ChannelInput first = Input("first").Write("a1", "a2");
        ChannelInput second = Input("second").Write("b1", "b2");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("first"), "first");
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 2, "a1 and a2 are written");
        engine.Pause();
        first.Write("a3");
        await Until(() => Slot(engine, 0).Records == 3, "a3 is read (and waits while paused)");

        engine.Attach(0, Test("second"), "second");
        engine.Unpause();
        await Until(() => output.Count == 5, "a3, b1 and b2 are written");
        first.Write("a4"); // the old stream no longer reads
        await Until(() => first.Disposed, "the old input is released");
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "a1", "a2", "a3", "b1", "b2" }));
            Assert.That(Slot(engine, 0).StreamName, Is.EqualTo("second"));
            Assert.That(Slot(engine, 0).Records, Is.EqualTo(5), "the slot's counters include the replaced stream");
            Assert.That(engine.State, Is.EqualTo(EngineState.Running));
        });

        second.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(output.Records, Does.Not.Contain("a4"));
    }

    [Test]
    public async Task Replacing_an_output_while_running_completes_the_old_one_and_sends_later_records_to_the_new_one()
    {
        ChannelInput input = Input("in").Write("a", "b");
        CollectingOutput first = Output("first");
        CollectingOutput second = Output("second");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("first"), "first");
        await Until(() => first.Count == 2, "a and b are written");

        engine.Attach(1, Test("second"), "second");
        await Until(() => first.Completed, "the old output is completed");
        input.Write("c", "d");
        await Until(() => second.Count == 2, "c and d are written");
        input.Complete();

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(first.Records, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(second.Records, Is.EqualTo(new[] { "c", "d" }));
            Assert.That(first.Disposed, Is.True);
            Assert.That(second.Completed, Is.True);
            Assert.That(Slot(engine, 1).StreamName, Is.EqualTo("second"));
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task Replacing_an_input_that_reached_end_of_stream_reopens_its_slot()
    {
        ChannelInput in0 = Input("in0").Write("a");
        in0.Complete();
        ChannelInput in2 = Input("in2").Write("x");
        ChannelInput again = Input("again").Write("b");
        CollectingOutput out1 = Output("out1");
        CollectingOutput out3 = Output("out3");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Router());
        engine.Attach(0, Test("in0"));
        engine.Attach(1, Test("out1"));
        engine.Attach(2, Test("in2"));
        engine.Attach(3, Test("out3"));
        await Until(() => Slot(engine, 0).EndOfStream && out3.Count == 1, "slot 0 ended, slot 2 is running");

        engine.Attach(0, Test("again"));
        await Until(() => out1.Count == 2, "the new stream on slot 0 is scored");
        Assert.That(Slot(engine, 0).EndOfStream, Is.False);
        again.Complete();
        in2.Complete();

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(out1.Records, Is.EqualTo(new[] { "a@0", "b@0" }));
    }

    [Test]
    public async Task A_replacement_that_cannot_be_built_fails_the_caller_and_the_engine_keeps_running()
    {
        ChannelInput input = Input("in").Write("a");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 1, "running");

        Assert.That(() => engine.Attach(0, Test("in", encoding: EncodingDescriptor.MsgPack)), Throws.InstanceOf<DescriptorException>());
        input.Write("b").Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(output.Records, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Attaching_is_refused_after_the_run_until_reset()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));

        Assert.That(() => engine.Attach(0, Test("in")), Throws.InvalidOperationException.With.Message.Contains("FINISHED"));
    }
}
