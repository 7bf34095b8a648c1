using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// Issue 12 point 6: outcomes that are not a success never look like one. A stopped input is not at its end; a run
/// that rejected every record, or more than its limits allow, ends in ERROR.
/// </summary>
public sealed class EngineOutcomeTests : EngineTestBase
{
    public sealed class Point
    {
        public int X { get; set; }
    }

    /// <summary>Writes <paramref name="count"/> records; those whose number <paramref name="bad"/> says are not a Point.</summary>
    private string WriteRecords(string name, int count, Func<int, bool> bad) =>
        WriteFile(name, [.. Enumerable.Range(1, count).Select(i => bad(i) ? $$"""{"X": "bad {{i}}"}""" : $$"""{"X": {{i}}}""")]);

    [Test]
    public async Task An_input_stopped_before_its_end_is_reported_stopped_not_at_end_of_stream()
    {
        ChannelInput input = Input("in").Write("a", "b");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 2, "both records are scored");

        Assert.That(await engine.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(EngineState.Finished));
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(inspection.Stopped, Is.True);
            Assert.That((inspection.Slots[0].EndOfStream, inspection.Slots[0].Stopped), Is.EqualTo((false, true)));
            Assert.That((inspection.Slots[1].EndOfStream, inspection.Slots[1].Stopped), Is.EqualTo((true, false)), "the output was completed");
        });
    }

    [Test]
    public async Task An_input_that_reached_its_end_is_not_stopped()
    {
        ChannelInput input = Input("in").Write("a");
        Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        input.Complete();

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Stopped, Is.False);
            Assert.That((Slot(engine, 0).EndOfStream, Slot(engine, 0).Stopped), Is.EqualTo((true, false)));
        });
    }

    [Test]
    public async Task A_run_that_rejects_every_record_it_reads_ends_in_ERROR_and_leaves_no_output_file_when_asked()
    {
        string input = WriteRecords("in.jsons", 1000, _ => true);
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine(new EngineOptions { FailWhenEveryRecordIsRejected = true });
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Error, Is.EqualTo("nothing was scored: every one of the 1,000 records read was rejected (see the rejected records)"));
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(1000));
            Assert.That(Slot(engine, 0).EndOfStream, Is.True, "every record was read");
            Assert.That(System.IO.File.Exists(output), Is.False, "nothing was written, so no output file is left behind");
        });
    }

    [Test]
    public async Task By_default_a_run_that_rejects_every_record_still_finishes()
    {
        string input = WriteRecords("in.jsons", 10, _ => true);
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(PathOf("out.jsons")));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(10));
    }

    [Test]
    public async Task Crossing_MaxRejectedRecords_stops_reading_at_once_scores_what_was_read_and_ends_in_ERROR()
    {
        const int Total = 200_000;
        string input = WriteRecords("in.jsons", Total, i => i > 100); // 100 good records, then only bad ones
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine(new EngineOptions { MaxRejectedRecords = 10 });
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        SlotInspection in0 = Slot(engine, 0);
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Error, Does.StartWith("more than 10 records were rejected (the limit is 10); reading stopped at slot 0 record 111"));
            Assert.That(in0.Records + in0.RejectedByEncoding, Is.LessThan(Total / 10), "reading stopped within a read buffer or two of the limit, not at the end of the file");
            Assert.That((in0.EndOfStream, in0.Stopped), Is.EqualTo((false, true)));
            Assert.That(Lines(output), Is.EqualTo(Enumerable.Range(1, 100).Select(i => $$"""{"X":{{i}}}""")), "the records read before the limit were scored and written");
        });
    }

    [Test]
    public async Task Rejections_up_to_MaxRejectedRecords_are_tolerated()
    {
        string input = WriteRecords("in.jsons", 100, i => i % 10 == 0);
        ScoringEngine engine = NewEngine(new EngineOptions { MaxRejectedRecords = 10 });
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(PathOf("out.jsons")));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(10));
    }

    [TestCase(9.9, EngineState.Error)]
    [TestCase(10.0, EngineState.Finished)]
    public async Task MaxRejectedPercent_is_judged_on_every_record_read_when_the_inputs_end(double percent, EngineState expected)
    {
        string input = WriteRecords("in.jsons", 1000, i => i <= 100); // the first 100 of 1,000 are bad: 10%
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine(new EngineOptions { MaxRejectedPercent = percent });
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input));
        engine.Attach(1, File(output));

        Assert.That(await Finished(engine), Is.EqualTo(expected));
        Assert.Multiple(() =>
        {
            Assert.That(Slot(engine, 0).EndOfStream, Is.True, "a share is judged at the end: every record was read");
            Assert.That(Lines(output), Has.Length.EqualTo(900), "the scored records are written either way");
            Assert.That(engine.Inspect().Error, expected == EngineState.Error ? Is.EqualTo("100 of the 1,000 records read were rejected (10%), more than the limit of 9.9%") : Is.Null);
        });
    }

    [TestCase(-1L, null)]
    [TestCase(null, -0.5)]
    [TestCase(null, 100.5)]
    public void Rejection_limits_out_of_range_are_refused(long? records, double? percent) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NewEngine(new EngineOptions { MaxRejectedRecords = records, MaxRejectedPercent = percent }));
}
