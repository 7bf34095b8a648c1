using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;
using FastScore.Streams.TestUtilities;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// Issue 12 point 3: one oversized record in a real file does not stop a batch run. By default it is rejected with its
/// slot, record number and byte position, and every good record around it is scored.
/// </summary>
[Category("Integration")]
public sealed class EngineOversizeTests : EngineTestBase
{
    private const int Before = 500;
    private const int After = 1033;

    private const long LineBytes = 50L * 1024 * 1024;

    [Test]
    public async Task A_50_MB_line_is_rejected_with_its_position_and_every_good_record_around_it_is_scored()
    {
        string input = PathOf("in.jsons");
        long offset = OversizedLineFile.Write(input, Before, LineBytes, After);
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, File(input, EncodingDescriptor.Utf8));
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        EngineInspection inspection = engine.Inspect();
        SlotInspection in0 = inspection.Slots[0];
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(OversizedLineFile.Records(Before + After)), "every good record, before and after the 50 MB line, is scored in order");
            Assert.That((in0.EndOfStream, in0.Records, in0.RejectedByEncoding, in0.Oversized), Is.EqualTo((true, (long)(Before + After), 1L, 1L)));
            Assert.That(inspection.Rejections.Select(r => (r.Slot, r.RecordNumber, r.Kind, r.Position)),
                Is.EqualTo(new[] { (0, (long)Before + 1, RejectionKind.Encoding, (string?)$"byte {offset}") }));
            Assert.That(inspection.Rejections[0].Reason, Does.Contain("longer than MaxRecordSize (8388608 bytes)"));
            Assert.That(inspection.Rejections[0].Preview, Does.StartWith("{\"pad\":\"xxxx"));
            Assert.That(inspection.Rejections[0].ToString(), Does.StartWith($"slot 0 record {Before + 1} (byte {offset}): rejected by encoding"));
        });
    }

    [Test]
    public async Task Under_OnOversize_fail_the_run_fails_naming_the_slot_record_and_byte_and_scores_the_records_before_it()
    {
        string input = PathOf("in.jsons");
        long offset = OversizedLineFile.Write(input, Before, LineBytes, After);
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, File(input, EncodingDescriptor.Utf8) with { Envelope = new DelimitedEnvelopeDescriptor { OnOversize = OversizePolicy.Fail } });
        engine.Attach(1, File(output, EncodingDescriptor.Utf8));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(inspection.Error, Does.StartWith($"slot 0 (").And.Contain($"record {Before + 1} (byte {offset}): The record is longer than MaxRecordSize (8388608 bytes)"));
            Assert.That(Lines(output), Is.EqualTo(OversizedLineFile.Records(Before)), "the records read before the bad one are scored and flushed");
            Assert.That(inspection.Slots[0].EndOfStream, Is.False);
        });
    }
}
