using System.Buffers;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// The engine has its inputs decode records into the model's input type on their own task: a record that cannot
/// become that type is rejected by encoding there (counted, reported with its slot, number and position) and the
/// model never sees it; every other record arrives decoded once.
/// </summary>
public sealed class EngineDecodeTests : EngineTestBase
{
    public sealed class Point
    {
        public int X { get; set; }
    }

    [Test]
    public async Task A_record_that_cannot_become_the_model_input_type_is_rejected_by_encoding_on_the_input_task()
    {
        string input = WriteFile("in.jsons", """{"X": 1}""", """{"X": "two"}""", """{"X": 3}""", """[4]""", """{"X": 5}""");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<Point>());
        engine.Attach(0, File(input, schema: SchemaReference.None));
        engine.Attach(1, File(output, schema: SchemaReference.None));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { """{"X":1}""", """{"X":3}""", """{"X":5}""" }));
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(2));
            Assert.That(Slot(engine, 0).RejectedBySchema, Is.Zero);
            Assert.That(Slot(engine, 0).Records, Is.EqualTo(3), "rejected records are not counted as read");
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(3));
            Assert.That(inspection.Rejections.Select(r => (r.Slot, r.RecordNumber, r.Kind, r.Position, r.Preview)), Is.EqualTo(new[]
            {
                (0, 2L, RejectionKind.Encoding, (string?)"byte 9", """{"X": "two"}"""),
                (0, 4L, RejectionKind.Encoding, (string?)"byte 31", "[4]"),
            }));
            Assert.That(inspection.Rejections[0].Reason, Does.Contain("Point"));
        });
    }

    [Test]
    public async Task A_batch_model_gets_the_decoded_records_and_never_the_rejected_ones()
    {
        string input = WriteFile("in.jsons", "\"a\"", "1", "\"b\"", "\"c\"");
        string output = PathOf("out.jsons");
        var model = new BatchRecorder();
        ScoringEngine engine = NewEngine();
        engine.LoadModel(model);
        engine.Attach(0, File(input, schema: SchemaReference.None, batching: new BatchingDescriptor(10, null)));
        engine.Attach(1, File(output, schema: SchemaReference.None));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(model.Contents, Is.EqualTo(new[] { new[] { "a", "b", "c" } }));
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(1), "1 is not a JSON string");
            Assert.That(engine.Inspect().Rejections.Single().RecordNumber, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Each_record_is_decoded_once()
    {
        var encoding = new CountingEncoding();
        FactoryOptions.Components.Add(FastScore.Streams.Encodings.EncodingProvider.Create("counting", _ => encoding));
        string input = WriteFile("in.jsons", "1", "2", "3");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new PlusOne());
        engine.Attach(0, File(input, encoding: new EncodingDescriptor("counting"), schema: SchemaReference.None));
        engine.Attach(1, Test("out", encoding: EncodingDescriptor.Json));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(output.Records, Is.EqualTo(new[] { "2", "3", "4" }));
            Assert.That(encoding.Decodes, Is.EqualTo(3));
        });
    }

    /// <summary>json, counting decodes.</summary>
    private sealed class CountingEncoding : RecordEncoding
    {
        private int _decodes;

        public int Decodes => Volatile.Read(ref _decodes);

        public override string? Name => "counting";

        public override T Decode<T>(ReadOnlySpan<byte> record)
        {
            Interlocked.Increment(ref _decodes);
            return JsonRecordEncoding.Default.Decode<T>(record);
        }

        public override void Encode<T>(T value, IBufferWriter<byte> output) => JsonRecordEncoding.Default.Encode(value, output);
    }
}
