using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>LingerTime, backpressure, graceful stop and cancellation, acknowledgements.</summary>
public sealed class EngineFlowTests : EngineTestBase
{
    [Test]
    public async Task An_output_that_cannot_finish_within_LingerTime_ends_the_run_in_ERROR_with_a_clear_message()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        CollectingOutput output = Output("out", blocked: true);
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out", lingerTime: 1000));
        await output.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30));
        await Until(() => engine.State == EngineState.Finishing, "every input is at end of stream");

        await AdvanceUntilAsync(engine.Completion, TimeSpan.FromMilliseconds(250));

        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(inspection.State, Is.EqualTo(EngineState.Error));
            Assert.That(inspection.Error, Does.Contain("did not finish writing within LingerTime (1000 ms)").And.Contains("test-1"));
            Assert.That(output.Completed, Is.False, "the output was aborted, not completed");
            Assert.That(output.Disposed, Is.True);
        });
    }

    [Test]
    public async Task An_output_that_finishes_within_LingerTime_completes_normally()
    {
        ChannelInput input = Input("in").Write("a", "b");
        input.Complete();
        CollectingOutput output = Output("out", blocked: true);
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out", lingerTime: 1000));
        await Until(() => engine.State == EngineState.Finishing, "finishing");
        Time.Advance(TimeSpan.FromMilliseconds(999));

        output.Release();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(output.Completed, Is.True);
        });
    }

    [Test]
    public async Task Without_LingerTime_the_engine_waits_as_long_as_the_output_needs()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        CollectingOutput output = Output("out", blocked: true);
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out", lingerTime: null));
        await Until(() => engine.State == EngineState.Finishing, "finishing");

        Time.Advance(TimeSpan.FromDays(1));
        Assert.That(engine.State, Is.EqualTo(EngineState.Finishing));
        output.Release();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(output.Records, Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public async Task A_slow_output_stops_the_input_from_reading_and_nothing_grows_without_bound()
    {
        const int Total = 200_000;
        FactoryOptions.MaxBatchRecords = 100;
        CountingInput input = Transports.Add("in", new CountingInput(Total, perRead: 100));
        CollectingOutput output = Output("out", blocked: true);
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<string>());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await output.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30));

        long served = await StableAsync(() => input.Served);
        await TestContext.Out.WriteLineAsync($"records read while the output was blocked: {served}");

        // Between the transport and the blocked sink there are bounded buffers only: the input stream's channel,
        // the pump, the engine's merged channel, the batch being scored, the pending output batch, the output
        // channel and the batch held by the writer, a few batches of 100 records each.
        const int Bound = 3000;
        Assert.Multiple(() =>
        {
            Assert.That(served, Is.LessThan(Bound), "the input stopped reading");
            Assert.That(Slot(engine, 0).Records, Is.LessThanOrEqualTo(served));
            Assert.That(Slot(engine, 0).Bytes, Is.LessThan(Bound * 6L));
        });

        output.Release();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(output.Count, Is.EqualTo(Total));
            Assert.That(output.Records[^1], Is.EqualTo(Total.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task Cancelling_RunAsync_stops_reading_and_every_record_read_has_its_output()
    {
        const int Total = 200_000;
        string input = WriteFile("in.txt", [.. Enumerable.Range(1, Total).Select(i => $"r{i}")]);
        string output = PathOf("out.txt");
        var model = new Gated { BlockAt = 1000 };
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));
        using var cts = new CancellationTokenSource();
        Task<EngineState> run = engine.RunAsync(cts.Token);
        await model.RecordReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await cts.CancelAsync();
        model.RecordGate.SetResult();

        Assert.That(await run.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        long read = Slot(engine, 0).Records;
        string[] written = Lines(output);
        Assert.Multiple(() =>
        {
            Assert.That(read, Is.LessThan(Total), "reading stopped early");
            Assert.That(read, Is.GreaterThanOrEqualTo(1000));
            Assert.That(written, Is.EqualTo(Enumerable.Range(1, (int)read).Select(i => $"r{i}")), "every record read was scored and written, in order");
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(read));
        });
    }

    [Test]
    public async Task StopAsync_drains_what_was_read_flushes_the_outputs_and_acknowledges_everything()
    {
        ChannelInput input = Input("in").Write([.. Enumerable.Range(1, 100).Select(i => $"m{i}")]);
        CollectingOutput output = Output("out");
        input.Watch = output;
        var model = new Gated { BlockAt = 10 };
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await model.RecordReached.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Task<EngineState> stop = engine.StopAsync();
        model.RecordGate.SetResult();

        Assert.That(await stop.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(output.Count, Is.EqualTo(input.Read), "every message read has its output");
            Assert.That(output.Records, Is.EqualTo(Enumerable.Range(1, (int)input.Read).Select(i => $"m{i}")));
            Assert.That(input.Acknowledged, Is.EqualTo(input.Read), "everything read is acknowledged");
            Assert.That(input.Acknowledgements.Last().DurableOutputs, Is.EqualTo(input.Read), "after the output was made durable");
            Assert.That(output.Completed, Is.True);
            Assert.That((Slot(engine, 0).EndOfStream, Slot(engine, 0).Stopped), Is.EqualTo((false, true)), "the input was stopped before its end");
            Assert.That(engine.Inspect().Stopped, Is.True);
        });
    }

    [Test]
    public async Task Stopping_a_paused_engine_resumes_it_to_drain()
    {
        ChannelInput input = Input("in").Write("a");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        List<EngineState> states = Track(engine);
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 1, "a is written");
        engine.Pause();
        input.Write("b");
        await Until(() => Slot(engine, 0).Records == 2, "b is read");

        Assert.That(await engine.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(Snapshot(states), Is.EqualTo(new[] { EngineState.Running, EngineState.Paused, EngineState.Running, EngineState.Finishing, EngineState.Finished }));
            Assert.That(engine.Pause, Throws.InvalidOperationException);
        });
    }

    [Test]
    public async Task Inputs_are_acknowledged_every_interval_only_after_the_outputs_are_durable()
    {
        ChannelInput input = Input("in").Write([.. Enumerable.Range(1, 10).Select(i => $"m{i}")]);
        CollectingOutput output = Output("out");
        input.Watch = output;
        ScoringEngine engine = NewEngine(new EngineOptions { TimeProvider = Time, AcknowledgeInterval = TimeSpan.FromSeconds(1) });
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 10, "written");

        await AdvanceUntilAsync(() => input.Acknowledged == 10, TimeSpan.FromMilliseconds(500));
        input.Write("m11");
        await Until(() => output.Count == 11, "m11 written");
        await AdvanceUntilAsync(() => input.Acknowledged == 11, TimeSpan.FromMilliseconds(500));
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));

        Assert.That(input.Acknowledgements.Select(a => a.DurableOutputs >= a.Message), Is.All.True, "no message is acknowledged before its output is durable");
    }

    [Test]
    public async Task Records_waiting_in_a_batch_are_not_acknowledged_until_their_batch_is_scored()
    {
        ChannelInput input = Input("in").Write("a", "b", "c");
        CollectingOutput output = Output("out");
        input.Watch = output;
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngine(new EngineOptions { TimeProvider = Time, AcknowledgeInterval = TimeSpan.FromSeconds(1) });
        engine.LoadModel(model);
        engine.Attach(0, Test("in", batching: BatchingDescriptor.Explicit));
        engine.Attach(1, Test("out"));
        await Until(() => Slot(engine, 0).PendingRecords == 3, "a, b and c wait for their set");
        Time.Advance(TimeSpan.FromSeconds(5));

        input.Write("\u262efastscore.set");
        await Until(() => output.Count == 1, "the batch is scored");
        await AdvanceUntilAsync(() => input.Acknowledged == 4, TimeSpan.FromMilliseconds(500));
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(input.Acknowledgements.Select(a => a.Message), Is.EqualTo(new long[] { 4 }), "nothing was acknowledged while a, b and c waited");
    }

    /// <summary>Advances the fake clock step by step until a task completes (the engine creates its timers asynchronously).</summary>
    private async Task AdvanceUntilAsync(Task task, TimeSpan step) => await AdvanceUntilAsync(() => task.IsCompleted, step);

    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step)
    {
        for (int i = 0; i < 3000 && !condition(); i++)
        {
            Time.Advance(step);
            await Task.Delay(10);
        }

        Assert.That(condition(), Is.True, "the condition never held while the clock advanced");
    }

    /// <summary>Waits until a counter stops changing (checked over many polls) and returns it.</summary>
    private static async Task<long> StableAsync(Func<long> counter)
    {
        long last = counter();
        int unchanged = 0;
        for (int i = 0; i < 3000 && unchanged < 30; i++)
        {
            await Task.Delay(10);
            long now = counter();
            unchanged = now == last ? unchanged + 1 : 0;
            last = now;
        }

        return last;
    }
}
