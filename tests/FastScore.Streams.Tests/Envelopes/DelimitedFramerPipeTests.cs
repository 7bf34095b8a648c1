using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Tests.Envelopes;

/// <summary>The framer driven by a real <see cref="Pipe"/>, whose buffer segments are pooled and reused.</summary>
public sealed class DelimitedFramerPipeTests
{
    [TestCase(1)]
    [TestCase(7)]
    [TestCase(100)]
    [TestCase(5000)]
    public async Task Frames_from_a_pipe_read_loop_match_the_input(int chunkSize)
    {
        string[] records = Enumerable.Range(0, 2000).Select(i => new string((char)('a' + (i % 26)), i % 37) + i).ToArray();
        byte[] input = Encoding.UTF8.GetBytes(string.Join("\r\n", records) + "\r\n");
        var pipe = new Pipe(new PipeOptions(minimumSegmentSize: 64, pauseWriterThreshold: 0));
        Task writing = Task.Run(async () =>
        {
            for (int i = 0; i < input.Length; i += chunkSize)
            {
                await pipe.Writer.WriteAsync(input.AsMemory(i, Math.Min(chunkSize, input.Length - i)));
            }

            await pipe.Writer.CompleteAsync();
        });

        var framer = new DelimitedFramer("\r\n", maxRecordSize: 1000);
        var frames = new List<string>();
        while (true)
        {
            ReadResult result = await pipe.Reader.ReadAsync();
            SequencePosition consumed = Drain(framer, result.Buffer, result.IsCompleted, frames);
            pipe.Reader.AdvanceTo(consumed, result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await writing;
        await pipe.Reader.CompleteAsync();
        Assert.That(frames, Is.EqualTo(records));
    }

    [Test]
    public void A_reused_segment_with_new_memory_is_not_mistaken_for_the_cached_one()
    {
        var framer = new DelimitedFramer("\n");
        var segment = new MutableSegment("ab\ncd\n"u8.ToArray());
        var frames = new List<string>();
        Drain(framer, new ReadOnlySequence<byte>(segment, 0, segment, 6), isFinalBlock: false, frames);

        segment.SetMemory("xyz\nuv\n"u8.ToArray());
        Drain(framer, new ReadOnlySequence<byte>(segment, 0, segment, 7), isFinalBlock: false, frames);

        segment.SetMemory("123\n45\n"u8.ToArray());
        Drain(framer, new ReadOnlySequence<byte>(segment, 2, segment, 7), isFinalBlock: true, frames);
        Assert.That(frames, Is.EqualTo(new[] { "ab", "cd", "xyz", "uv", "3", "45" }));
    }

    [Test]
    public void Segments_not_backed_by_arrays_are_framed_too()
    {
        byte[] input = Encoding.UTF8.GetBytes("one\ntwo\nthree\nfour\n");
        foreach (int[] cuts in TestUtilities.SequenceSplitter.EveryCutPair(input.Length))
        {
            var first = new MutableSegment(new NoArrayMemory(input[..cuts[0]]).Memory);
            var second = first.Append(new NoArrayMemory(input[cuts[0]..cuts[1]]).Memory);
            var third = second.Append(new NoArrayMemory(input[cuts[1]..]).Memory);
            var frames = new List<string>();
            Drain(new DelimitedFramer("\n"), new ReadOnlySequence<byte>(first, 0, third, third.Memory.Length), isFinalBlock: true, frames);
            Assert.That(frames, Is.EqualTo(new[] { "one", "two", "three", "four" }), $"cuts {cuts[0]}, {cuts[1]}");
        }
    }

    private static SequencePosition Drain(Framer framer, ReadOnlySequence<byte> buffer, bool isFinalBlock, List<string> frames)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (true)
        {
            FrameStatus status = framer.TryReadFrame(ref reader, isFinalBlock, out ReadOnlySequence<byte> frame);
            if (status == FrameStatus.NeedMoreData)
            {
                return reader.Position;
            }

            if (status == FrameStatus.Frame)
            {
                frames.Add(Encoding.UTF8.GetString(frame));
            }
        }
    }

    private sealed class MutableSegment : ReadOnlySequenceSegment<byte>
    {
        public MutableSegment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public void SetMemory(byte[] memory) => Memory = memory;

        public MutableSegment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new MutableSegment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    /// <summary>Memory that does not expose an array (like native memory).</summary>
    private sealed class NoArrayMemory(byte[] data) : MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => data;

        public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
