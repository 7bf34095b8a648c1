using System.IO.Pipelines;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Transports;

/// <summary>
/// The console output writes through <see cref="SyncStreamPipeWriter"/> instead of <c>PipeWriter.Create(stream)</c>: the
/// same operations must leave the same bytes in the stream, at the same flushes, with the same results.
/// </summary>
public sealed class SyncStreamPipeWriterTests
{
    private static IEnumerable<Func<Stream, PipeWriter>> Writers()
    {
        yield return stream => new SyncStreamPipeWriter(stream);
        yield return stream => PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    [Test]
    public async Task Writes_reach_the_stream_at_each_flush_as_with_the_stream_pipe_writer()
    {
        var random = new Random(16);
        byte[] big = new byte[300_000];
        random.NextBytes(big);
        var results = new List<string>();
        foreach (Func<Stream, PipeWriter> create in Writers())
        {
            var stream = new MemoryStream();
            PipeWriter writer = create(stream);
            var seen = new List<long>();

            "abc"u8.CopyTo(writer.GetSpan(3));
            writer.Advance(3);
            seen.Add(stream.Length); // nothing written before the flush
            Assert.That((await writer.FlushAsync()).IsCanceled, Is.False);
            seen.Add(stream.Length);

            for (int i = 0; i < 1000; i++)
            {
                Span<byte> span = writer.GetSpan(i % 7 + 1);
                span[0] = (byte)i;
                writer.Advance(1);
            }

            big.AsSpan(0, 50_000).CopyTo(writer.GetMemory(50_000).Span);
            writer.Advance(50_000);
            await writer.FlushAsync();
            seen.Add(stream.Length);

            await writer.WriteAsync(big);
            seen.Add(stream.Length);

            writer.CancelPendingFlush();
            "def"u8.CopyTo(writer.GetSpan(3));
            writer.Advance(3);
            FlushResult canceled = await writer.FlushAsync();
            seen.Add(canceled.IsCanceled ? -1 : 0);
            seen.Add(stream.Length);

            writer.Complete();
            seen.Add(stream.Length); // completing writes what is buffered
            results.Add(string.Join(",", seen) + ":" + Convert.ToBase64String(stream.ToArray()));
            Assert.That(stream.CanWrite, Is.True, "the stream is left open");
            Assert.That(() => writer.GetSpan(), Throws.InstanceOf<InvalidOperationException>());
        }

        Assert.That(results[0], Is.EqualTo(results[1]));
    }

    [Test]
    public async Task A_canceled_token_cancels_the_flush_and_completing_with_an_error_writes_nothing_more()
    {
        var outcomes = new List<string>();
        foreach (Func<Stream, PipeWriter> create in Writers())
        {
            var stream = new MemoryStream();
            PipeWriter writer = create(stream);
            "abc"u8.CopyTo(writer.GetSpan(3));
            writer.Advance(3);
            using var cancel = new CancellationTokenSource();
            await cancel.CancelAsync();
            string outcome;
            try
            {
                await writer.FlushAsync(cancel.Token);
                outcome = "flushed";
            }
            catch (OperationCanceledException ex)
            {
                outcome = ex.GetType().Name;
            }

            writer.Complete(new InvalidOperationException("failed"));
            outcomes.Add($"{outcome} {stream.Length}");
        }

        Assert.That(outcomes[0], Is.EqualTo(outcomes[1]));
    }
}
