using System.Buffers;
using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// The pass-through fast path for models over a record's raw bytes (docs/performance.md): an input copies a batch's
/// checked records into one array per batch, and an output with the same checker writes a value that is exactly one of
/// those records without checking it again. Anything else a model emits (a slice, other bytes) is checked as before.
/// </summary>
public sealed class EnginePassThroughTests : EngineTestBase
{
    [Test]
    public async Task Records_a_raw_bytes_model_emits_unchanged_are_written_byte_for_byte_and_bad_ones_still_rejected()
    {
        string[] shapes =
        [
            """{"sepal_length": 6.9, "sepal_width": 3.1, "petal_length": 5.4, "petal_width": 2.1}""",
            """ {"a" : [1, -2.5e3, true, null], "b": {"c": "Zoë ☮"}} """,
            """{"escaped": "a\"b\\c\u00e9"}""",
            """[1, 2, 3]""",
            "\"just text\"",
            """{"bad": }""",
            """{"a": "\ud800"}""",
        ];
        var lines = new List<string>();
        for (int i = 0; i < 20_000; i++)
        {
            lines.Add(shapes[i % shapes.Length]);
        }

        string input = WriteFile("in.jsons", [.. lines]);
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Identity<ReadOnlyMemory<byte>>());
        engine.Attach(0, File(input, schema: SchemaReference.None));
        engine.Attach(1, File(output, schema: SchemaReference.None));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        string[] expected = [.. lines.Where(l => l != shapes[5] && l != shapes[6])];
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(expected));
            Assert.That(Slot(engine, 0).RejectedByEncoding, Is.EqualTo(lines.Count - expected.Length));
            Assert.That(Slot(engine, 1).Records, Is.EqualTo(expected.Length));
            Assert.That(Slot(engine, 1).RejectedByEncoding, Is.Zero);
        });
    }

    [Test]
    public async Task A_slice_of_a_record_is_checked_like_any_other_output()
    {
        string input = WriteFile("in.jsons", "[7]", " 8", "[9]", "  \"x\"");
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new DropFirstByte());
        engine.Attach(0, File(input, schema: SchemaReference.None));
        engine.Attach(1, File(output, schema: SchemaReference.None));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.Multiple(() =>
        {
            Assert.That(Lines(output), Is.EqualTo(new[] { "8", " \"x\"" }), "valid slices are written, after their check");
            Assert.That(Slot(engine, 1).RejectedByEncoding, Is.EqualTo(2), "7] and 9] are not JSON");
            Assert.That(engine.Inspect().Rejections.Select(r => (r.Slot, r.Preview)), Is.EqualTo(new[] { (1, "7]"), (1, "9]") }));
        });
    }

    [Test]
    public async Task A_record_a_model_keeps_past_its_batch_keeps_its_own_bytes()
    {
        string[] lines = [.. Enumerable.Range(0, 30_000).Select(i => $$"""{"n": {{i}}, "pad": "{{new string((char)('a' + (i % 26)), i % 40)}}"}""")];
        string input = WriteFile("in.jsons", lines);
        string output = PathOf("out.jsons");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new EmitsThePreviousRecord());
        engine.Attach(0, File(input, schema: SchemaReference.None));
        engine.Attach(1, File(output, schema: SchemaReference.None));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished), engine.Inspect().Error);
        Assert.That(Lines(output), Is.EqualTo(lines[..^1]));
    }

    [Test]
    public void The_pass_through_encoder_takes_exactly_the_records_its_own_checker_accepted()
    {
        using var batch = new RecordBatch();
        batch.Append("{\"a\": 1}"u8, 1, null);
        batch.Append("[2]"u8, 2, null);
        var values = new ReadOnlyMemory<byte>[2];
        CheckedRecords.Seal(batch, values, JsonSyntaxChecker.Instance);
        ReadOnlyMemory<byte> first = values[0], second = values[1];
        ValidEncoder<ReadOnlyMemory<byte>> encoder = CheckedRecords.CreateEncoder<ReadOnlyMemory<byte>>(JsonRecordEncoding.Default, JsonSyntaxChecker.Instance)!;
        ValidEncoder<ReadOnlyMemory<byte>> other = CheckedRecords.CreateEncoder<ReadOnlyMemory<byte>>(JsonRecordEncoding.Default, new JsonAvroSchemaChecker(Avro.Schema.Parse("\"int\"")))!;
        var output = new ArrayBufferWriter<byte>();
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(first.Span) + Encoding.UTF8.GetString(second.Span), Is.EqualTo("{\"a\": 1}[2]"));
            Assert.That(encoder.TryEncodeValid(second, output), Is.True);
            Assert.That(encoder.TryEncodeValid(first, output), Is.True, "in any order");
            Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("[2]{\"a\": 1}"));
            Assert.That(encoder.TryEncodeValid(first[1..], output), Is.False, "a slice");
            Assert.That(encoder.TryEncodeValid(first[..^1], output), Is.False, "a slice");
            Assert.That(encoder.TryEncodeValid("{\"a\": 1}"u8.ToArray(), output), Is.False, "bytes of unknown origin");
            Assert.That(other.TryEncodeValid(first, output), Is.False, "another checker");
            Assert.That(CheckedRecords.CreateEncoder<byte[]>(JsonRecordEncoding.Default, JsonSyntaxChecker.Instance), Is.Null, "only read-only memory");
            Assert.That(CheckedRecords.CreateEncoder<ReadOnlyMemory<byte>>(JsonRecordEncoding.Default, new ForeignChecker()), Is.Null, "only the built-in checkers");
        });
    }

    private sealed class DropFirstByte : IModel<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
    {
        public ValueTask ActionAsync(ReadOnlyMemory<byte> input, RecordContext context, IModelOutput<ReadOnlyMemory<byte>> output, CancellationToken cancellationToken)
        {
            output.Emit(input[1..]);
            return default;
        }
    }

    private sealed class EmitsThePreviousRecord : IModel<ReadOnlyMemory<byte>, ReadOnlyMemory<byte>>
    {
        private ReadOnlyMemory<byte>? _previous;

        public ValueTask ActionAsync(ReadOnlyMemory<byte> input, RecordContext context, IModelOutput<ReadOnlyMemory<byte>> output, CancellationToken cancellationToken)
        {
            if (_previous is { } previous)
            {
                output.Emit(previous);
            }

            _previous = input;
            return default;
        }
    }

    private sealed class ForeignChecker : SchemaChecker
    {
        public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection)
        {
            rejection = default;
            return true;
        }
    }
}
