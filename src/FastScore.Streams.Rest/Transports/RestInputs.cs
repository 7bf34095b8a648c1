using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Transports;

/// <summary>What became of a record offered to a REST input.</summary>
internal enum SubmitResult
{
    /// <summary>Queued for the engine (HTTP 204, or the round trip waits for its answer).</summary>
    Queued,

    /// <summary>The slot's queue is full: nothing was queued (HTTP 429 with Retry-After).</summary>
    Full,

    /// <summary>The stream is closed (HTTP 503).</summary>
    Closed,
}

/// <summary>
/// A simple-mode REST input: each request body is one record; round trips attach a reply to theirs.
/// </summary>
/// <remarks>
/// Two bounded lanes feed the engine: round-trip records (someone waits for each) and fire-and-forget records
/// (<c>POST /1/job/input</c>). The engine takes round-trip records first, so a round trip never queues behind records
/// nobody waits for. Neither lane waits when full: the request is refused at once (429) and the client retries.
/// </remarks>
internal sealed class RestMessageInput : MessageInputTransport
{
    private readonly RestTransportHub _hub;
    private readonly ConcurrentQueue<InputMessage> _roundTrips = new();
    private readonly ConcurrentQueue<InputMessage> _records = new();
    private readonly int _roundTripCapacity;
    private readonly int _recordCapacity;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly ConcurrentDictionary<RoundTripReply, byte> _pending = new();
    private int _roundTripCount;
    private int _recordCount;
    private volatile bool _closed;

    public RestMessageInput(RestTransportHub hub, int slot, RestTransportOptions options)
    {
        _hub = hub;
        Slot = slot;
        _recordCapacity = Math.Max(1, options.InputQueueCapacity);
        _roundTripCapacity = Math.Max(1, options.RoundTripQueueCapacity);
    }

    public int Slot { get; }

    /// <summary>Gets the most fire-and-forget records the slot queues.</summary>
    public int Capacity => _recordCapacity;

    /// <summary>Gets the most round-trip records the slot queues.</summary>
    public int RoundTripCapacity => _roundTripCapacity;

    /// <summary>Gets how many round trips wait for their answer (queued or being scored).</summary>
    internal int PendingRoundTrips => _pending.Count;

    public override string DisplayName => "rest (simple)";

    public override bool RequiresAcknowledgement => false;

    /// <inheritdoc />
    protected override bool AnswersCallers => true;

    /// <inheritdoc />
    protected override RecordReply? FindReply(MessageMetadata? metadata) => (metadata as RoundTripMetadata)?.Reply;

    /// <summary>Queues one record in its lane, never waiting: <see cref="SubmitResult.Full"/> when the lane is full.</summary>
    public SubmitResult Submit(byte[] payload, RoundTripReply? reply, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? headers = null)
    {
        if (_closed)
        {
            return SubmitResult.Closed;
        }

        ref int count = ref reply is null ? ref _recordCount : ref _roundTripCount;
        if (Interlocked.Increment(ref count) > (reply is null ? _recordCapacity : _roundTripCapacity))
        {
            Interlocked.Decrement(ref count);
            return SubmitResult.Full;
        }

        if (reply is null)
        {
            _records.Enqueue(headers is null ? new InputMessage(payload) : new InputMessage(payload, new MessageMetadata { Headers = headers }));
        }
        else
        {
            reply.Owner = this;
            _pending.TryAdd(reply, 0);
            _roundTrips.Enqueue(new InputMessage(payload, new RoundTripMetadata(reply) { Headers = headers }));
        }

        _signal.Writer.TryWrite(true);
        if (_closed && reply is not null)
        {
            // closed while queuing: the record may never be read
            reply.Abandon(ClosedMessage);
        }

        return SubmitResult.Queued;
    }

    public void Forget(RoundTripReply reply) => _pending.TryRemove(reply, out _);

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        while (true)
        {
            Take(_roundTrips, ref _roundTripCount, batch, maxMessages);
            Take(_records, ref _recordCount, batch, maxMessages);
            if (batch.Count > 0)
            {
                return true;
            }

            if (!await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false; // closed
            }

            _signal.Reader.TryRead(out _);
        }
    }

    public override ValueTask DisposeAsync()
    {
        _closed = true;
        _signal.Writer.TryComplete();
        _hub.Unregister(Slot, this);
        foreach (RoundTripReply reply in _pending.Keys)
        {
            reply.Abandon(ClosedMessage);
        }

        while (_roundTrips.TryDequeue(out InputMessage message))
        {
            (message.Metadata as RoundTripMetadata)?.Reply.Abandon(ClosedMessage);
        }

        _records.Clear();
        return base.DisposeAsync();
    }

    private static void Take(ConcurrentQueue<InputMessage> lane, ref int count, List<InputMessage> batch, int maxMessages)
    {
        while (batch.Count < maxMessages && lane.TryDequeue(out InputMessage message))
        {
            Interlocked.Decrement(ref count);
            batch.Add(message);
        }
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
    private volatile bool _backpressured;

    public RestChunkedInput(RestTransportHub hub, int slot, RestTransportOptions options)
    {
        _hub = hub;
        Slot = slot;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: options.ChunkedBufferSize, resumeWriterThreshold: options.ChunkedBufferSize / 2, useSynchronizationContext: false));
    }

    public int Slot { get; }

    public override string DisplayName => "rest (chunked)";

    /// <summary>Gets a value indicating whether a request is waiting for room in the full buffer.</summary>
    internal bool IsBackpressured => _backpressured;

    public override ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken) =>
        offset == 0 ? ValueTask.FromResult(_pipe.Reader) : throw new NotSupportedException("A REST stream cannot seek.");

    /// <summary>
    /// Appends a request body (bodies never interleave). <see cref="SubmitResult.Full"/> at once, reading nothing, while the
    /// buffer is full (the engine does not keep up); <see cref="SubmitResult.Closed"/> when the stream is closed; throws
    /// <see cref="InvalidDataException"/> past <paramref name="maxBytes"/>.
    /// </summary>
    public async ValueTask<SubmitResult> WriteAsync(PipeReader body, long maxBytes, CancellationToken cancellationToken)
    {
        if (_backpressured)
        {
            return _closed ? SubmitResult.Closed : SubmitResult.Full;
        }

        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closed)
            {
                return SubmitResult.Closed;
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
                ValueTask<FlushResult> flush = _pipe.Writer.FlushAsync(cancellationToken);
                FlushResult flushed;
                if (flush.IsCompleted)
                {
                    flushed = flush.Result;
                }
                else
                {
                    _backpressured = true; // the buffer is full: other requests are refused until the engine catches up
                    try
                    {
                        flushed = await flush.ConfigureAwait(false);
                    }
                    finally
                    {
                        _backpressured = false;
                    }
                }

                if (flushed.IsCompleted)
                {
                    return SubmitResult.Closed; // the engine stopped reading
                }

                if (read.IsCompleted)
                {
                    return SubmitResult.Queued;
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
