using System.Buffers;
using System.IO.Pipelines;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports;

/// <summary>The <c>inline</c> transport: records written in the descriptor (one chunk, or one record per element). Input only; loopable.</summary>
internal sealed class InlineTransportProvider : TransportProvider
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Inline;

    /// <inheritdoc />
    public override bool IsSeekable => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields { get; } = ["Data", "DataBinary"];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags { get; } = [new("inline", "inline:1,2,3"), new("inline-chunked", "inline-chunked:%06%02%04%06")];

    /// <inheritdoc />
    protected internal override TransportDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        bool hasData = fields.TryGet("Data", out DescriptorValue data);
        bool hasBinary = fields.TryGet("DataBinary", out DescriptorValue binary);
        if (hasData && hasBinary)
        {
            fields.Errors.Add(string.Empty, "give either Data or DataBinary, not both.");
            return new InlineTransportDescriptor { Items = [] };
        }

        if (!hasData && !hasBinary)
        {
            fields.Errors.Add("Data", $"required field is missing{fields.ShortcutHint}; give Data (a string, or an array of strings) or DataBinary (base64).");
            return new InlineTransportDescriptor { Items = [] };
        }

        bool isBinary = hasBinary;
        DescriptorValue node = isBinary ? binary : data;
        string itemPath = isBinary ? "DataBinary" : "Data";
        var items = new List<ReadOnlyMemory<byte>>();
        bool isChunk;
        if (node.Kind == System.Text.Json.JsonValueKind.String)
        {
            isChunk = true;
            items.Add(Item(node.GetString(), isBinary, itemPath, fields.Errors));
        }
        else if (node.Kind is System.Text.Json.JsonValueKind.Array || node.IsEmpty)
        {
            isChunk = false;
            int i = 0;
            foreach (DescriptorValue item in node.Items())
            {
                string p = DescriptorErrors.Item(itemPath, i++);
                if (item.Kind == System.Text.Json.JsonValueKind.String)
                {
                    items.Add(Item(item.GetString(), isBinary, p, fields.Errors));
                }
                else
                {
                    fields.Errors.Add(p, $"expected a string{(isBinary ? " of base64" : string.Empty)}; found {item.Describe()}.");
                }
            }
        }
        else
        {
            isChunk = false;
            fields.Errors.Add(itemPath, $"expected a string (one chunk) or an array of strings (one record each){(isBinary ? ", in base64" : string.Empty)}; found {node.Describe()}.");
        }

        return new InlineTransportDescriptor { Items = items, IsChunk = isChunk, IsBinary = isBinary };
    }

    /// <inheritdoc />
    protected internal override void ExpandLiteral(LiteralContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string rest = context.Details;
        if (rest.Length == 0)
        {
            throw context.Fail("needs data");
        }

        bool binary = rest.Contains('%', StringComparison.Ordinal);
        System.Text.Json.Utf8JsonWriter writer = context.Transport;
        writer.WriteStartObject();
        writer.WriteString(nameof(Type), Type);
        writer.WritePropertyName(binary ? "DataBinary" : "Data");
        if (context.Tag == "inline-chunked")
        {
            StreamLiteral.WriteInlineItem(writer, context.Literal, rest, binary);
        }
        else
        {
            writer.WriteStartArray();
            foreach (string item in rest.Split(','))
            {
                StreamLiteral.WriteInlineItem(writer, context.Literal, item, binary);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static ReadOnlyMemory<byte> Item(string text, bool isBinary, string path, DescriptorErrors errors)
    {
        if (!isBinary)
        {
            return System.Text.Encoding.UTF8.GetBytes(text);
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            errors.Add(path, $"expected base64 text; found {DescriptorErrors.Quote(text)}.");
            return ReadOnlyMemory<byte>.Empty;
        }
    }

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
internal sealed class DiscardTransportProvider : TransportProvider
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Discard;

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields { get; } = [];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags { get; } = [new("discard", "discard:")];

    /// <inheritdoc />
    protected internal override TransportDescriptor Read(DescriptorFields fields) => new DiscardTransportDescriptor();

    /// <inheritdoc />
    protected internal override void ExpandLiteral(LiteralContext context) => BareLiteral.Expand(context, "discard");

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
internal sealed class ConsoleTransportProvider : TransportProvider
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Console;

    /// <inheritdoc />
    public override IReadOnlyList<string>? Fields { get; } = [];

    /// <inheritdoc />
    public override IReadOnlyList<LiteralTag> LiteralTags { get; } = [new("console", "console:")];

    /// <inheritdoc />
    protected internal override TransportDescriptor Read(DescriptorFields fields) => new ConsoleTransportDescriptor();

    /// <inheritdoc />
    protected internal override void ExpandLiteral(LiteralContext context) => BareLiteral.Expand(context, "console");

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
            _writer = new SyncStreamPipeWriter(_stream); // standard output is written synchronously anyway (SyncStreamPipeWriter)
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

/// <summary>Literals that take nothing after the colon (<c>discard:</c>, <c>console:</c>).</summary>
internal static class BareLiteral
{
    public static void Expand(LiteralContext context, string type)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Details.Length != 0)
        {
            throw context.Fail("takes nothing after the colon");
        }

        context.Transport.WriteStringValue(type);
    }
}
