using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineStateTests : EngineTestBase
{
    [Test]
    public async Task A_file_job_goes_from_INIT_through_RUNNING_and_FINISHING_to_FINISHED()
    {
        string input = WriteFile("in.txt", "a", "b", "c");
        string output = PathOf("out.txt");
        ScoringEngine engine = NewEngine();
        List<EngineState> states = Track(engine);
        Assert.That(engine.State, Is.EqualTo(EngineState.Init));

        engine.LoadModel(new Recorder());
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));

        Assert.Multiple(async () =>
        {
            Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
            Assert.That(Snapshot(states), Is.EqualTo(new[] { EngineState.Running, EngineState.Finishing, EngineState.Finished }));
            Assert.That(Lines(output), Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(engine.Inspect().Slots.Select(s => s.EndOfStream), Is.All.True);
        });
    }

    [Test]
    public async Task A_pause_requested_in_INIT_takes_effect_when_the_engine_starts()
    {
        ChannelInput input = Input("in").Write("a", "b");
        CollectingOutput output = Output("out");
        var model = new Recorder();
        ScoringEngine engine = NewEngine();
        List<EngineState> states = Track(engine);

        engine.LoadModel(model);
        engine.Pause();
        Assert.That(engine.State, Is.EqualTo(EngineState.Init), "the pause waits for the start");
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => engine.State == EngineState.Paused, "the engine starts paused");
        await Until(() => Slot(engine, 0).Records == 2, "the input has read both records");

        Assert.Multiple(() =>
        {
            Assert.That(Snapshot(states), Is.EqualTo(new[] { EngineState.Paused }), "INIT goes straight to PAUSED");
            Assert.That(model.Calls, Is.Empty, "nothing is scored while paused");
        });

        engine.Unpause();
        input.Complete();
        Assert.Multiple(async () =>
        {
            Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
            Assert.That(output.Records, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Snapshot(states), Is.EqualTo(new[] { EngineState.Paused, EngineState.Running, EngineState.Finishing, EngineState.Finished }));
        });
    }

    [Test]
    public async Task Unpause_in_INIT_cancels_a_requested_pause()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        Output("out");
        ScoringEngine engine = NewEngine();
        List<EngineState> states = Track(engine);
        engine.LoadModel(new Recorder());
        engine.Pause();
        engine.Unpause();
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(Snapshot(states), Does.Not.Contain(EngineState.Paused));
    }

    [Test]
    public async Task Records_that_arrive_while_paused_wait_until_unpause()
    {
        ChannelInput input = Input("in").Write("a");
        CollectingOutput output = Output("out");
        var model = new Recorder();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 1, "the first record is written");

        engine.Pause();
        Assert.That(engine.State, Is.EqualTo(EngineState.Paused));
        input.Write("b");
        await Until(() => Slot(engine, 0).Records == 2, "the input has read the second record");
        Assert.Multiple(() =>
        {
            Assert.That(model.Calls, Has.Count.EqualTo(1), "the paused engine does not score");
            Assert.That(output.Records, Is.EqualTo(new[] { "a" }));
        });

        engine.Pause(); // pausing twice is harmless
        engine.Unpause();
        Assert.That(engine.State, Is.EqualTo(EngineState.Running));
        await Until(() => output.Count == 2, "the second record is written after unpause");
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
    }

    [Test]
    public async Task Pause_is_refused_in_FINISHING()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        Output("out");
        var model = new Gated { BlockEnd = true };
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await model.EndReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(engine.State, Is.EqualTo(EngineState.Finishing));
            Assert.That(engine.Pause, Throws.InvalidOperationException.With.Message.Contains("FINISHING"));
        });

        model.EndGate.SetResult();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
    }

    [Test]
    public async Task Pause_is_refused_in_FINISHED()
    {
        ScoringEngine engine = await FinishedEngineAsync();
        Assert.That(engine.Pause, Throws.InvalidOperationException.With.Message.Contains("FINISHED").And.Message.Contains("Reset"));
    }

    [Test]
    public async Task Pause_is_refused_in_ERROR()
    {
        ScoringEngine engine = await FailedEngineAsync();
        Assert.That(engine.Pause, Throws.InvalidOperationException.With.Message.Contains("ERROR"));
    }

    [TestCase(EngineState.Init)]
    [TestCase(EngineState.Running)]
    [TestCase(EngineState.Paused)]
    [TestCase(EngineState.Finishing)]
    [TestCase(EngineState.Finished)]
    [TestCase(EngineState.Error)]
    public async Task Reset_returns_to_INIT_from_every_state_and_the_engine_can_run_again(EngineState from)
    {
        (ScoringEngine engine, Task<EngineState> completion) = await DriveToAsync(from);
        List<EngineState> states = Track(engine);
        Assert.That(engine.State, Is.EqualTo(from));

        await engine.ResetAsync();

        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(async () =>
        {
            Assert.That(inspection.State, Is.EqualTo(EngineState.Init));
            Assert.That(inspection.ModelName, Is.Null);
            Assert.That(inspection.Slots, Is.Empty);
            Assert.That(inspection.Error, Is.Null);
            Assert.That(engine.Model, Is.Null);
            Assert.That(Snapshot(states), Is.EqualTo(from == EngineState.Init ? Array.Empty<EngineState>() : new[] { EngineState.Init }), "a reset never passes through ERROR");
            Assert.That(await completion.WaitAsync(TimeSpan.FromSeconds(30)),
                Is.EqualTo(from is EngineState.Finished or EngineState.Error ? from : EngineState.Init));
        });

        // the engine is reusable
        string input = WriteFile("again.txt", "x", "y");
        string output = PathOf("again-out.txt");
        engine.LoadModel(new Recorder());
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(Lines(output), Is.EqualTo(new[] { "x", "y" }));
    }

    [Test]
    public async Task Detach_is_refused_while_running_but_allowed_in_INIT_and_after_the_run()
    {
        ChannelInput input = Input("in");
        Output("out");
        ScoringEngine engine = NewEngine();
        engine.Attach(0, Test("in"));
        Assert.That(engine.Detach(0), Is.True, "INIT: detached");
        Assert.That(engine.Detach(0), Is.False, "nothing attached any more");

        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => engine.State == EngineState.Running, "running");
        Assert.That(() => engine.Detach(0), Throws.InvalidOperationException.With.Message.Contains("RUNNING").And.Message.Contains("replace"));

        engine.Pause();
        Assert.That(() => engine.Detach(1), Throws.InvalidOperationException.With.Message.Contains("PAUSED"));
        engine.Unpause();

        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(engine.Detach(1), Is.True, "FINISHED: detached");
    }

    [Test]
    public void Attaching_to_a_slot_the_model_does_not_use_is_a_clear_error()
    {
        Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        Assert.That(() => engine.Attach(3, Test("out")),
            Throws.ArgumentException.With.Message.Contains("does not use slot 3").And.Message.Contains("0, 1"));
    }

    [Test]
    public void Loading_a_model_that_does_not_use_an_attached_slot_is_a_clear_error()
    {
        Output("out");
        ScoringEngine engine = NewEngine();
        engine.Attach(5, Test("out"));
        Assert.That(() => engine.LoadModel(new Recorder()),
            Throws.InvalidOperationException.With.Message.Contains("slot 5").And.Message.Contains("does not use"));
    }

    [Test]
    public void Attaching_an_input_only_transport_to_an_odd_slot_is_a_clear_error()
    {
        ScoringEngine engine = NewEngine();
        var inline = new StreamDescriptor { Transport = new InlineTransportDescriptor { Items = [new byte[] { 49 }] }, Envelope = null };
        Assert.That(() => engine.Attach(1, inline), Throws.ArgumentException.With.Message.Contains("output slot (odd)").And.Message.Contains("'inline' cannot be written"));
    }

    [Test]
    public void Attaching_an_output_only_transport_to_an_even_slot_is_a_clear_error()
    {
        ScoringEngine engine = NewEngine();
        var discard = new StreamDescriptor { Transport = new DiscardTransportDescriptor() };
        Assert.That(() => engine.Attach(2, discard), Throws.ArgumentException.With.Message.Contains("input slot (even)").And.Message.Contains("'discard' cannot be read"));
    }

    [Test]
    public void Attaching_a_descriptor_the_factory_cannot_build_fails_at_attach()
    {
        ScoringEngine engine = NewEngine();
        StreamDescriptor csv = File(PathOf("x.csv"), EncodingDescriptor.MsgPack);
        Assert.That(() => engine.Attach(0, csv), Throws.InstanceOf<DescriptorException>().With.Message.Contains("msgpack"));
    }

    [Test]
    public void Start_says_what_is_missing()
    {
        Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { AutoStart = false });
        Assert.That(engine.Start, Throws.InvalidOperationException.With.Message.Contains("no model is loaded"));
        engine.LoadModel(new Recorder());
        engine.Attach(1, Test("out"));
        Assert.That(engine.Start, Throws.InvalidOperationException.With.Message.Contains("no stream is attached to slot 0"));
    }

    [Test]
    public async Task Without_AutoStart_the_engine_waits_for_Start()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { AutoStart = false });
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        Assert.That(engine.State, Is.EqualTo(EngineState.Init));

        Assert.That(await engine.RunAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        Assert.That(output.Records, Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task Start_after_an_automatic_start_does_nothing_even_when_that_run_has_finished()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out")); // starts the engine (AutoStart), as the CLI's run command does before calling Start
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));

        Assert.That(engine.Start, Throws.Nothing, "a short job may finish before its host calls Start");
        Assert.That(await engine.RunAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        Assert.That(output.Records, Is.EqualTo(new[] { "a" }), "nothing ran twice");
    }

    [Test]
    public async Task Start_after_an_explicit_run_has_finished_is_refused_until_reset()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { AutoStart = false });
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        Assert.That(await engine.RunAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        Assert.That(engine.Start, Throws.InvalidOperationException.With.Message.Contains("FINISHED"));
    }

    [Test]
    public async Task StopAsync_without_a_run_returns_the_state_at_once()
    {
        ScoringEngine engine = NewEngine();
        Assert.That(await engine.StopAsync(), Is.EqualTo(EngineState.Init));
    }

    [Test]
    public async Task Loading_a_model_is_refused_after_the_run_until_reset()
    {
        ScoringEngine engine = await FinishedEngineAsync();
        Assert.That(() => engine.LoadModel(new Recorder()), Throws.InvalidOperationException.With.Message.Contains("FINISHED"));
        await engine.ResetAsync();
        Assert.That(() => engine.LoadModel(new Recorder()), Throws.Nothing);
    }

    private async Task<ScoringEngine> FinishedEngineAsync()
    {
        ChannelInput input = Input("done-in").Write("a");
        input.Complete();
        Output("done-out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("done-in"));
        engine.Attach(1, Test("done-out"));
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        return engine;
    }

    private async Task<ScoringEngine> FailedEngineAsync()
    {
        Input("bad-in").Write("boom");
        Output("bad-out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Thrower("boom"));
        engine.Attach(0, Test("bad-in"));
        engine.Attach(1, Test("bad-out"));
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        return engine;
    }

    private async Task<(ScoringEngine Engine, Task<EngineState> Completion)> DriveToAsync(EngineState state)
    {
        switch (state)
        {
            case EngineState.Init:
            {
                Input("in");
                ScoringEngine engine = NewEngine();
                engine.LoadModel(new Recorder());
                engine.Attach(0, Test("in"));
                return (engine, engine.Completion);
            }

            case EngineState.Running:
            case EngineState.Paused:
            {
                Input("in").Write("a");
                Output("out");
                ScoringEngine engine = NewEngine();
                engine.LoadModel(new Recorder());
                engine.Attach(0, Test("in"));
                engine.Attach(1, Test("out"));
                await Until(() => engine.State == EngineState.Running, "running");
                if (state == EngineState.Paused)
                {
                    engine.Pause();
                }

                return (engine, engine.Completion);
            }

            case EngineState.Finishing:
            {
                ChannelInput input = Input("in").Write("a");
                input.Complete();
                Output("out");
                var model = new Gated { BlockEnd = true };
                ScoringEngine engine = NewEngine();
                engine.LoadModel(model);
                engine.Attach(0, Test("in"));
                engine.Attach(1, Test("out"));
                await model.EndReached.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return (engine, engine.Completion);
            }

            case EngineState.Finished:
            {
                ScoringEngine engine = await FinishedEngineAsync();
                return (engine, engine.Completion);
            }

            default:
            {
                ScoringEngine engine = await FailedEngineAsync();
                return (engine, engine.Completion);
            }
        }
    }
}
