using System.Buffers;
using FastScore.Streams.Envelopes;

namespace FastScore.Streams.Benchmarks.Framing;

/// <summary>
/// Frames 10,000 newline-delimited iris records (~85 bytes each) with <see cref="DelimitedFramer"/>, against a plain
/// <c>Span.IndexOf</c> loop over the same segments. Goal: at least 0.8x the loop's speed, no allocation per frame.
/// </summary>
[MemoryDiagnoser]
public class DelimitedFramingBenchmark
{
    private const int Records = 10_000;

    private ReadOnlySequence<byte> _input;
    private DelimitedFramer _framer = null!;

    /// <summary>Gets or sets how many buffer segments the input is split into.</summary>
    [Params(1, 4)]
    public int Segments { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = IrisData.Split(IrisData.NewlineDelimited(Records), Segments);
        _framer = new DelimitedFramer("\n");
    }

    /// <summary>The floor: IndexOf per segment, carrying a record split across segments as a length only.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public long IndexOfLoop()
    {
        long total = 0;
        long carried = 0;
        foreach (ReadOnlyMemory<byte> memory in _input)
        {
            ReadOnlySpan<byte> span = memory.Span;
            while (true)
            {
                int index = span.IndexOf((byte)'\n');
                if (index < 0)
                {
                    carried += span.Length;
                    break;
                }

                total += carried + index;
                carried = 0;
                span = span[(index + 1)..];
            }
        }

        return total + carried;
    }

    /// <summary>The floor any SequenceReader-based framer pays: IndexOf + Advance on the reader, no frame produced.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long SequenceReaderFloor()
    {
        var reader = new SequenceReader<byte>(_input);
        long total = 0;
        while (true)
        {
            ReadOnlySpan<byte> span = reader.UnreadSpan;
            int index = span.IndexOf((byte)'\n');
            if (index >= 0)
            {
                total += index;
                reader.Advance(index + 1);
            }
            else if (!reader.TryAdvanceTo((byte)'\n'))
            {
                return total + reader.Remaining;
            }
        }
    }

    /// <summary>The framer, as a pipe read loop drives it: one reader, TryReadFrame until it needs more data.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public long DelimitedFramer()
    {
        var reader = new SequenceReader<byte>(_input);
        long total = 0;
        while (_framer.TryReadFrame(ref reader, isFinalBlock: true, out ReadOnlySequence<byte> frame) == FrameStatus.Frame)
        {
            total += frame.Length;
        }

        return total;
    }
}
