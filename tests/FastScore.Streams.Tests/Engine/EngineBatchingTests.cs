using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineBatchingTests : EngineTestBase
{
    private const string Set = "\u262efastscore.set";

    [Test]
    public async Task Watermark_closes_a_batch_when_it_holds_that_many_records_across_input_batches([Values(2, 1024)] int maxBatchRecords)
    {
        FactoryOptions.MaxBatchRecords = maxBatchRecords;
        string input = WriteFile("in.txt", "a", "b", "c", "d", "e", "f", "g", "h");
        string output = PathOf("out.txt");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, File(input, EncodingDescriptor.Utf8, new BatchingDescriptor(3, null)));
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b", "c" }, ["d", "e", "f"], ["g", "h"] }), "the last batch closes at end of stream");
            Assert.That(model.Batches.Select(b => b.Context), Is.EqualTo(new[] { new RecordContext(0, 1), new RecordContext(0, 4), new RecordContext(0, 7) }));
            Assert.That(Lines(output), Is.EqualTo(new[] { "a+b+c", "d+e+f", "g+h" }));
        });
    }

    [Test]
    public async Task Normal_batching_groups_a_thousand_records()
    {
        string input = WriteFile("in.txt", [.. Enumerable.Range(1, 2500).Select(i => $"r{i}")]);
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(PathOf("out.txt"), EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(model.Contents.Select(b => b.Length), Is.EqualTo(new[] { 1000, 1000, 500 }));
    }

    [Test]
    public async Task NagleTime_closes_a_batch_that_long_after_its_first_record()
    {
        ChannelInput input = Input("in").Write("a", "b");
        CollectingOutput output = Output("out");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(model);
        engine.Attach(0, Test("in", batching: new BatchingDescriptor(null, 500)));
        engine.Attach(1, Test("out"));
        await Until(() => Slot(engine, 0).PendingRecords == 2, "two records wait in the batch");

        Time.Advance(TimeSpan.FromMilliseconds(499));
        input.Write("c");
        await Until(() => Slot(engine, 0).PendingRecords == 3, "a third record joins the batch");
        Assert.That(model.Batches, Is.Empty, "499 ms after the first record the batch is still open");

        Time.Advance(TimeSpan.FromMilliseconds(1));
        await Until(() => output.Count == 1, "the batch is scored");
        Assert.Multiple(() =>
        {
            Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b", "c" } }));
            Assert.That(Slot(engine, 0).PendingRecords, Is.Zero);
        });

        input.Write("d");
        await Until(() => Slot(engine, 0).PendingRecords == 1, "a new batch starts");
        Time.Advance(TimeSpan.FromMilliseconds(500));
        await Until(() => output.Count == 2, "the second batch is scored");
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b", "c" }, ["d"] }));
    }

    [Test]
    public async Task Watermark_and_NagleTime_together_close_at_whichever_comes_first()
    {
        ChannelInput input = Input("in").Write("a", "b", "c", "d", "e");
        CollectingOutput output = Output("out");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(model);
        engine.Attach(0, Test("in", batching: new BatchingDescriptor(2, 100)));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 2, "two full batches are scored at once");
        await Until(() => Slot(engine, 0).PendingRecords == 1, "the fifth record waits");

        Time.Advance(TimeSpan.FromMilliseconds(100));
        await Until(() => output.Count == 3, "NagleTime closes the partial batch");
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b" }, ["c", "d"], ["e"] }));
    }

    [Test]
    public async Task Explicit_batching_closes_batches_only_at_set_records()
    {
        ChannelInput input = Input("in").Write("a", "b", Set, "c", "d", "e", Set, "f");
        CollectingOutput output = Output("out");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(model);
        engine.Attach(0, Test("in", batching: BatchingDescriptor.Explicit));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 2, "the two sets are scored");
        await Until(() => Slot(engine, 0).PendingRecords == 1, "f waits for its set");

        Time.Advance(TimeSpan.FromHours(1));
        input.Write("g", Set);
        await Until(() => output.Count == 3, "the third set is scored");
        Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b" }, ["c", "d", "e"], ["f", "g"] }), "time never closes an explicit batch");
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
    }

    [Test]
    public async Task Null_batching_makes_every_record_its_own_batch()
    {
        string input = WriteFile("in.txt", "a", "b", "c");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, File(input, EncodingDescriptor.Utf8, BatchingDescriptor.None));
        engine.Attach(1, File(PathOf("out.txt"), EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a" }, ["b"], ["c"] }));
    }

    [Test]
    public async Task A_per_record_model_is_never_delayed_by_NagleTime_or_Watermark()
    {
        ChannelInput input = Input("in").Write("a", "b");
        CollectingOutput output = Output("out");
        var model = new Recorder();
        ScoringEngine engine = NewEngineWithFakeTime();
        engine.LoadModel(model);
        engine.Attach(0, Test("in", batching: new BatchingDescriptor(1000, 60_000)));
        engine.Attach(1, Test("out"));

        await Until(() => output.Count == 2, "both records are scored and written with the clock standing still");
        Assert.That(Slot(engine, 0).PendingRecords, Is.Zero);
        input.Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
    }

    [Test]
    public async Task Each_input_slot_has_its_own_batch()
    {
        ChannelInput in0 = Input("in0").Write("a", "b", "c");
        ChannelInput in2 = Input("in2").Write("x", "y", "z");
        in0.Complete();
        in2.Complete();
        Output("out");
        var model = new SlotBatches();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, Test("in0", batching: new BatchingDescriptor(2, null)));
        engine.Attach(2, Test("in2", batching: new BatchingDescriptor(3, null)));
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(model.Seen.OrderBy(s => s, StringComparer.Ordinal), Is.EqualTo(new[] { "0:a,b", "0:c", "2:x,y,z" }));
    }

    private sealed class SlotBatches : IBatchModel<string, string>
    {
        public List<string> Seen { get; } = [];

        public IReadOnlyList<SlotDefinition> Slots { get; } = [new(0), new(1), new(2)];

        public ValueTask ActionAsync(IReadOnlyList<string> inputs, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
        {
            Seen.Add($"{context.Slot}:{string.Join(",", inputs)}");
            return default;
        }
    }
}
