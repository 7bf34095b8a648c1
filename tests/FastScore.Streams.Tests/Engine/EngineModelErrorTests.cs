using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineModelErrorTests : EngineTestBase
{
    [Test]
    public async Task With_Stop_a_model_error_ends_in_ERROR_with_slot_record_number_and_record_and_earlier_outputs_are_written()
    {
        string input = WriteFile("in.txt", "a", "b", "boom", "c");
        string output = PathOf("out.txt");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Stop });
        engine.LoadModel(new Thrower("boom"));
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        EngineInspection inspection = engine.Inspect();
        ModelError error = inspection.ModelErrors.Single();
        Assert.Multiple(() =>
        {
            Assert.That(error.Slot, Is.EqualTo(0));
            Assert.That(error.RecordNumber, Is.EqualTo(3));
            Assert.That(error.Record, Is.EqualTo("boom"));
            Assert.That(error.Message, Is.EqualTo("InvalidOperationException: cannot score boom"));
            Assert.That(inspection.Error, Is.EqualTo(error.ToString()));
            Assert.That(inspection.Error, Does.Contain("slot 0 record 3"));
            Assert.That(Slot(engine, 0).ModelErrors, Is.EqualTo(1));
            Assert.That(Lines(output), Is.EqualTo(new[] { "a", "b" }), "outputs produced before the error are flushed");
        });
    }

    [Test]
    public async Task With_Skip_a_failing_record_is_reported_counted_and_skipped()
    {
        ChannelInput input = Input("in").Write("a", "boom", "b", "bang", "c");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip });
        engine.LoadModel(new Thrower("boom", "bang"));
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(inspection.ModelErrors.Select(e => (e.Slot, e.RecordNumber, e.Record)), Is.EqualTo(new[] { (0, 2L, "boom"), (0, 4L, "bang") }));
            Assert.That(Slot(engine, 0).ModelErrors, Is.EqualTo(2));
            Assert.That(inspection.Error, Is.Null);
        });
    }

    [Test]
    public async Task A_failing_batch_is_reported_with_its_first_record_number()
    {
        ChannelInput input = Input("in").Write("a", "b", "c", "d");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip });
        engine.LoadModel(new FailingBatches("c"));
        engine.Attach(0, Test("in", batching: new BatchingDescriptor(2, null)));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        ModelError error = engine.Inspect().ModelErrors.Single();
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "a+b" }));
            Assert.That(error.Slot, Is.EqualTo(0));
            Assert.That(error.RecordNumber, Is.EqualTo(3));
            Assert.That(error.Record, Does.Contain("batch of 2 records"));
        });
    }

    [Test]
    public async Task An_error_in_BeginAsync_ends_in_ERROR_without_scoring()
    {
        ChannelInput input = Input("in").Write("a");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip });
        engine.LoadModel(new FailingBegin());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Error, Does.Contain("in BeginAsync").And.Contains("not ready"));
            Assert.That(output.Records, Is.Empty);
            Assert.That(output.Completed, Is.False, "nothing was written: the output is aborted, not completed (no empty output is left behind)");
            Assert.That(output.Disposed, Is.True);
        });
    }

    [TestCase(ModelErrorPolicy.Stop, EngineState.Error)]
    [TestCase(ModelErrorPolicy.Skip, EngineState.Finished)]
    public async Task An_error_in_EndAsync_follows_the_policy(ModelErrorPolicy policy, EngineState expected)
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = policy });
        engine.LoadModel(new FailingEnd());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(expected));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().ModelErrors.Single().Message, Does.Contain("in EndAsync"));
            Assert.That(output.Records, Is.EqualTo(new[] { "a" }));
        });
    }

    [Test]
    public async Task Reports_keep_only_the_most_recent_errors()
    {
        ChannelInput input = Input("in").Write([.. Enumerable.Range(1, 10).Select(i => "boom")]);
        input.Complete();
        Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { OnModelError = ModelErrorPolicy.Skip, MaxReports = 3 });
        engine.LoadModel(new Thrower("boom"));
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().ModelErrors.Select(e => e.RecordNumber), Is.EqualTo(new long[] { 8, 9, 10 }));
            Assert.That(Slot(engine, 0).ModelErrors, Is.EqualTo(10));
        });
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

    private sealed class FailingBegin : IModel<string, string>
    {
        public ValueTask BeginAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("not ready");

        public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }

    private sealed class FailingEnd : IModel<string, string>
    {
        public ValueTask EndAsync(IModelOutput output, CancellationToken cancellationToken) => throw new InvalidOperationException("cannot end");

        public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            output.Emit(input);
            return default;
        }
    }
}
