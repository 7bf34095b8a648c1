using System.IO.Pipelines;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Pipeline;

public sealed class BoundedMemoryTests
{
    /// <summary>A byte input that generates newline-delimited records on the fly (nothing on disk, nothing kept).</summary>
    private sealed class GeneratedProvider(long totalBytes) : TransportProvider
    {
        public override string Type => "generated";

        public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) => new Input(totalBytes);

        private sealed class Input(long totalBytes) : ByteInputTransport
        {
            public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken) =>
                ValueTask.FromResult(PipeReader.Create(new GeneratingStream(totalBytes)));
        }
    }

    private sealed class GeneratingStream(long total) : Stream
    {
        internal static readonly byte[] Line = "{\"sepal_length\": 6.9, \"sepal_width\": 3.1, \"petal_length\": 5.4, \"petal_width\": 2.1}\n"u8.ToArray();
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => total;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, total - _position);
            int written = 0;
            while (written < n)
            {
                int start = (int)(_position % Line.Length);
                int chunk = Math.Min(n - written, Line.Length - start);
                Line.AsSpan(start, chunk).CopyTo(buffer[written..]);
                written += chunk;
                _position += chunk;
            }

            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Test]
    public async Task Reading_a_gigabyte_stream_keeps_memory_bounded_by_the_buffers()
    {
        const long Total = 1L << 30;
        var options = new StreamFactoryOptions();
        options.Components.Add(new GeneratedProvider(Total));
        var descriptor = new StreamDescriptor
        {
            Transport = new CustomTransportDescriptor("generated", default, preservesRecordBoundaries: false, isSeekable: false),
            Envelope = new DelimitedEnvelopeDescriptor(),
            Encoding = null,
        };
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peakLive = 0;
        long records = 0;
        await using (InputStream input = new StreamFactory(options).CreateInput(descriptor))
        {
            while (await input.ReadBatchAsync() is { } batch)
            {
                records += batch.Count;
                batch.Dispose();
                if (records % 200_000 < 1024)
                {
                    // Live memory: what a full collection leaves, i.e. what the stream holds on to (its buffers, the
                    // batch pool). The heap size without a collection also counts garbage not yet collected, which
                    // depends on the GC's budget and on how the code was compiled (a Debug build allocates more
                    // temporaries), not on what the stream keeps.
                    peakLive = Math.Max(peakLive, GC.GetTotalMemory(forceFullCollection: true) - before);
                }
            }
        }

        await TestContext.Out.WriteLineAsync($"peak live managed memory while reading 1 GiB: {peakLive / 1024} KiB");
        Assert.Multiple(() =>
        {
            int line = GeneratingStream.Line.Length;
            Assert.That(records, Is.EqualTo((Total / line) + (Total % line == 0 ? 0 : 1)));
            Assert.That(peakLive, Is.LessThan(64L << 20), "live managed memory while reading 1 GiB stays far below the data size");
        });
    }
}
