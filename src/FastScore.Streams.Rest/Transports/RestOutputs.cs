using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Rest.Transports;

/// <summary>What a <c>GET /1/job/output</c> finds.</summary>
internal enum TakeStatus
{
    /// <summary>Data (HTTP 200).</summary>
    Data,

    /// <summary>No data yet (HTTP 202).</summary>
    NoData,

    /// <summary>End of stream (HTTP 204).</summary>
    End,
}

/// <summary>What the REST outputs share: the slot, the descriptor (for content types) and whether they are finished.</summary>
internal interface IRestOutput
{
    int Slot { get; }

    StreamDescriptor Descriptor { get; }

    bool IsFinished { get; }

    /// <summary>Gets a value indicating whether the output holds as much as its capacity that nobody has read: then fire-and-forget inputs are refused (429), since their outputs would only make the engine wait.</summary>
    bool IsFull { get; }

    /// <summary>Gets what is waiting to be read, for messages: <c>10000 records</c>.</summary>
    string Backlog { get; }

    /// <summary>Takes what is ready: one record (simple) or up to <paramref name="maxBytes"/> framed bytes (chunked), waiting up to <paramref name="wait"/>.</summary>
    ValueTask<(TakeStatus Status, ReadOnlyMemory<byte> Data)> TakeAsync(TimeSpan wait, int maxBytes, CancellationToken cancellationToken);
}

/// <summary>
/// A simple-mode REST output: a bounded queue of records, one per GET. At <see cref="RestTransportOptions.OutputQueueCapacity"/>
/// unread records it is full (fire-and-forget inputs are refused); the engine waits only at twice that, the second half
/// holding the outputs of records admitted before it filled, so REST inputs alone never make the engine wait on it.
/// </summary>
internal sealed class RestMessageOutput : MessageOutputTransport, IRestOutput
{
    private readonly RestTransportHub _hub;
    private readonly Channel<byte[]> _queue;
    private readonly int _capacity;
    private bool _completed;

    public RestMessageOutput(RestTransportHub hub, int slot, StreamDescriptor descriptor, RestTransportOptions options)
    {
        _hub = hub;
        Slot = slot;
        Descriptor = descriptor;
        _capacity = Math.Max(1, options.OutputQueueCapacity);
        _queue = Channel.CreateBounded<byte[]>(new BoundedChannelOptions((int)Math.Min(int.MaxValue, 2L * _capacity))
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int Slot { get; }

    public StreamDescriptor Descriptor { get; }

    public bool IsFinished => _queue.Reader.Completion.IsCompleted;

    public bool IsFull => _queue.Reader.Count >= _capacity;

    public string Backlog => $"{_queue.Reader.Count} records";

    public override string DisplayName => "rest (simple)";

    public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

    public override async ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
    {
        foreach (ReadOnlyMemory<byte> message in messages)
        {
            byte[] copy = message.ToArray();
            if (!_queue.Writer.TryWrite(copy))
            {
                await _queue.Writer.WriteAsync(copy, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

    public override ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        _completed = true;
        _queue.Writer.TryComplete();
        return default;
    }

    public async ValueTask<(TakeStatus Status, ReadOnlyMemory<byte> Data)> TakeAsync(TimeSpan wait, int maxBytes, CancellationToken cancellationToken)
    {
        ChannelReader<byte[]> reader = _queue.Reader;
        if (reader.TryRead(out byte[]? record))
        {
            return (TakeStatus.Data, record);
        }

        if (reader.Completion.IsCompleted)
        {
            return (TakeStatus.End, default);
        }

        if (wait <= TimeSpan.Zero)
        {
            return (TakeStatus.NoData, default);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        try
        {
            while (await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                if (reader.TryRead(out record))
                {
                    return (TakeStatus.Data, record);
                }
            }

            return (TakeStatus.End, default);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (TakeStatus.NoData, default);
        }
    }

    public override ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            // aborted (engine reset or error before completing): nothing more will come
            _queue.Writer.TryComplete();
            _hub.Unregister(Slot, this);
        }

        return base.DisposeAsync();
    }
}

/// <summary>A chunked-mode REST output: the envelope frames records into a byte stream; each GET takes what is ready.</summary>
internal sealed class RestChunkedOutput : ByteOutputTransport, IRestOutput
{
    private readonly RestTransportHub _hub;
    private readonly Pipe _pipe;
    private readonly SemaphoreSlim _readLock = new(1, 1);
    private readonly long _capacity;
    private volatile bool _drained;
    private volatile bool _completed;

    public RestChunkedOutput(RestTransportHub hub, int slot, StreamDescriptor descriptor, RestTransportOptions options)
    {
        _hub = hub;
        Slot = slot;
        Descriptor = descriptor;
        _capacity = Math.Max(1, options.ChunkedBufferSize);
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 2 * _capacity, resumeWriterThreshold: _capacity, useSynchronizationContext: false));
    }

    public int Slot { get; }

    public StreamDescriptor Descriptor { get; }

    public bool IsFinished => _completed;

    public bool IsFull => Unread() >= _capacity;

    public string Backlog => $"{Unread()} bytes";

    public override string DisplayName => "rest (chunked)";

    public override PipeWriter Writer => _pipe.Writer;

    public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

    public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        _completed = true;
        await _pipe.Writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
    }

    public async ValueTask<(TakeStatus Status, ReadOnlyMemory<byte> Data)> TakeAsync(TimeSpan wait, int maxBytes, CancellationToken cancellationToken)
    {
        await _readLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_drained)
            {
                return (TakeStatus.End, default);
            }

            PipeReader reader = _pipe.Reader;
            if (!reader.TryRead(out ReadResult read))
            {
                if (wait <= TimeSpan.Zero)
                {
                    return (TakeStatus.NoData, default);
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(wait);
                try
                {
                    read = await reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return (TakeStatus.NoData, default);
                }
            }

            ReadOnlySequence<byte> buffer = read.Buffer;
            if (buffer.IsEmpty)
            {
                reader.AdvanceTo(buffer.End);
                if (read.IsCompleted)
                {
                    _drained = true;
                    await reader.CompleteAsync().ConfigureAwait(false);
                    return (TakeStatus.End, default);
                }

                return (TakeStatus.NoData, default);
            }

            ReadOnlySequence<byte> taken = buffer.Slice(0, Math.Min(buffer.Length, maxBytes));
            byte[] data = taken.ToArray();
            reader.AdvanceTo(taken.End);
            return (TakeStatus.Data, data);
        }
        finally
        {
            _readLock.Release();
        }
    }

    /// <summary>The bytes written and not yet taken (0 while a GET is taking them).</summary>
    private long Unread()
    {
        if (!_readLock.Wait(0))
        {
            return 0;
        }

        try
        {
            if (_drained || !_pipe.Reader.TryRead(out ReadResult read))
            {
                return 0;
            }

            long length = read.Buffer.Length;
            _pipe.Reader.AdvanceTo(read.Buffer.Start, read.Buffer.Start); // nothing consumed, nothing examined
            return length;
        }
        finally
        {
            _readLock.Release();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            _hub.Unregister(Slot, this);
            await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
