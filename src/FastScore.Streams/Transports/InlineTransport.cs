using System.Buffers;
using System.IO.Pipelines;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports;

/// <summary>The <c>inline</c> transport: records written in the descriptor (one chunk, or one record per element). Input only; loopable.</summary>
public sealed class InlineTransportProvider : TransportProvider
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Inline;

    /// <inheritdoc />
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        var inline = (InlineTransportDescriptor)descriptor.Transport;
        return inline.IsChunk ? new ChunkInput(inline.Items) : new ArrayInput(inline.Items);
    }

    private sealed class ChunkInput(IReadOnlyList<ReadOnlyMemory<byte>> items) : ByteInputTransport
    {
        public override bool CanSeek => true;

        public override string DisplayName => "inline (chunk)";

        public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
        {
            ReadOnlyMemory<byte> data = items.Count switch
            {
                0 => ReadOnlyMemory<byte>.Empty,
                1 => items[0],
                _ => items.SelectMany(i => i.ToArray()).ToArray(),
            };
            if (offset > data.Length)
            {
                offset = data.Length;
            }

            return ValueTask.FromResult(PipeReader.Create(new ReadOnlySequence<byte>(data[(int)offset..])));
        }
    }

    private sealed class ArrayInput(IReadOnlyList<ReadOnlyMemory<byte>> items) : MessageInputTransport
    {
        private int _next;

        public override bool CanSeek => true;

        public override string DisplayName => "inline";

        public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken)
        {
            _next = position switch
            {
                { Kind: RecordPositionKind.Offset } p => (int)Math.Clamp(p.Offset, 0, items.Count),
                { Kind: RecordPositionKind.Latest } => items.Count,
                _ => 0,
            };
            return default;
        }

        public override ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_next >= items.Count)
            {
                return ValueTask.FromResult(false);
            }

            int end = Math.Min(items.Count, _next + maxMessages);
            for (; _next < end; _next++)
            {
                batch.Add(new InputMessage(items[_next], new MessageMetadata { Position = "#" + _next }));
            }

            return ValueTask.FromResult(true);
        }
    }
}

/// <summary>The <c>discard</c> transport: an output that drops everything.</summary>
public sealed class DiscardTransportProvider : TransportProvider
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Discard;

    /// <inheritdoc />
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) => new DiscardOutput();

    private sealed class DiscardOutput : MessageOutputTransport
    {
        public override string DisplayName => "discard";

        public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

        public override ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken) => default;

        public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

        public override ValueTask CompleteAsync(CancellationToken cancellationToken) => default;
    }
}

/// <summary>The <c>console</c> transport: stdin as input, stdout as output (for the CLI).</summary>
public sealed class ConsoleTransportProvider : TransportProvider
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Console;

    /// <inheritdoc />
    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) =>
        new ConsoleInput(context.ConsoleInput);

    /// <inheritdoc />
    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) =>
        new ConsoleOutput(context.ConsoleOutput);

    private sealed class ConsoleInput(Stream? input) : ByteInputTransport
    {
        public override string DisplayName => "console (stdin)";

        public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
        {
            if (offset != 0)
            {
                throw new NotSupportedException("The console cannot seek.");
            }

            return ValueTask.FromResult(PipeReader.Create(input ?? Console.OpenStandardInput(), new StreamPipeReaderOptions(leaveOpen: true)));
        }
    }

    private sealed class ConsoleOutput(Stream? output) : ByteOutputTransport
    {
        private Stream? _stream;
        private PipeWriter? _writer;

        public override string DisplayName => "console (stdout)";

        public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

        public override ValueTask OpenAsync(CancellationToken cancellationToken)
        {
            _stream = output ?? Console.OpenStandardOutput();
            _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
            return default;
        }

        public override async ValueTask FlushAsync(CancellationToken cancellationToken)
        {
            if (_writer is not null)
            {
                await _writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                await _stream!.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            if (_writer is not null)
            {
                await _writer.CompleteAsync().ConfigureAwait(false);
                _writer = null;
            }
        }
    }
}
