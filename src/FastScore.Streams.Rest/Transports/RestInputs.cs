using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Transports;

/// <summary>A simple-mode REST input: each request body is one record; round trips attach a reply to theirs.</summary>
internal sealed class RestMessageInput : MessageInputTransport
{
    private readonly RestTransportHub _hub;
    private readonly Channel<InputMessage> _channel;
    private readonly ConcurrentDictionary<RoundTripReply, byte> _pending = new();
    private volatile bool _closed;

    public RestMessageInput(RestTransportHub hub, int slot, RestTransportOptions options)
    {
        _hub = hub;
        Slot = slot;
        _channel = Channel.CreateBounded<InputMessage>(new BoundedChannelOptions(options.InputQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int Slot { get; }

    public override string DisplayName => "rest (simple)";

    public override bool RequiresAcknowledgement => false;

    /// <summary>Queues one record (waiting while the queue is full). Returns false when the stream is closed.</summary>
    public async ValueTask<bool> SubmitAsync(byte[] payload, RoundTripReply? reply, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            return false;
        }

        if (reply is not null)
        {
            reply.Owner = this;
            _pending.TryAdd(reply, 0);
        }

        var message = new InputMessage(payload, reply is null ? null : new MessageMetadata { Reply = reply });
        try
        {
            if (!_channel.Writer.TryWrite(message))
            {
                await _channel.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            if (reply is not null)
            {
                Forget(reply);
            }

            if (ex is OperationCanceledException)
            {
                throw;
            }

            return false;
        }

        if (_closed && reply is not null)
        {
            // closed while queuing: the record may never be read
            reply.Abandon(ClosedMessage);
        }

        return true;
    }

    public void Forget(RoundTripReply reply) => _pending.TryRemove(reply, out _);

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        ChannelReader<InputMessage> reader = _channel.Reader;
        InputMessage first;
        while (!reader.TryRead(out first))
        {
            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        batch.Add(first);
        while (batch.Count < maxMessages && reader.TryRead(out InputMessage next))
        {
            batch.Add(next);
        }

        return true;
    }

    public override ValueTask DisposeAsync()
    {
        _closed = true;
        _channel.Writer.TryComplete();
        _hub.Unregister(Slot, this);
        foreach (RoundTripReply reply in _pending.Keys)
        {
            reply.Abandon(ClosedMessage);
        }

        while (_channel.Reader.TryRead(out InputMessage message))
        {
            (message.Metadata?.Reply as RoundTripReply)?.Abandon(ClosedMessage);
        }

        return base.DisposeAsync();
    }

    private string ClosedMessage => $"The REST stream on slot {Slot} was closed before the record was scored (the engine stopped or was reset, or the stream was replaced).";
}

/// <summary>A chunked-mode REST input: request bodies are appended to one byte stream that the envelope cuts into records.</summary>
internal sealed class RestChunkedInput : ByteInputTransport
{
    private readonly RestTransportHub _hub;
    private readonly Pipe _pipe;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private volatile bool _closed;

    public RestChunkedInput(RestTransportHub hub, int slot, RestTransportOptions options)
    {
        _hub = hub;
        Slot = slot;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: options.ChunkedBufferSize, resumeWriterThreshold: options.ChunkedBufferSize / 2, useSynchronizationContext: false));
    }

    public int Slot { get; }

    public override string DisplayName => "rest (chunked)";

    public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken) =>
        offset == 0 ? ValueTask.FromResult(_pipe.Reader) : throw new NotSupportedException("A REST stream cannot seek.");

    /// <summary>Appends a request body (bodies never interleave). Returns false when the stream is closed; throws <see cref="InvalidDataException"/> past <paramref name="maxBytes"/>.</summary>
    public async ValueTask<bool> WriteAsync(PipeReader body, long maxBytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return false;
            }

            long total = 0;
            while (true)
            {
                ReadResult read = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = read.Buffer;
                total += buffer.Length;
                if (total > maxBytes)
                {
                    body.AdvanceTo(buffer.End);
                    throw new InvalidDataException($"The request body is larger than {maxBytes} bytes.");
                }

                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    _pipe.Writer.Write(segment.Span);
                }

                body.AdvanceTo(buffer.End);
                FlushResult flushed = await _pipe.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    return false; // the engine stopped reading
                }

                if (read.IsCompleted)
                {
                    return true;
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _closed = true;
        _hub.Unregister(Slot, this);
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
