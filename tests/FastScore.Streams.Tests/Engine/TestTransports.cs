using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// The <c>test</c> transport: descriptors name an endpoint (<c>{"Type":"test","Name":"in"}</c>) that the test
/// registered on this provider, so a test controls exactly what an input delivers and how an output behaves.
/// </summary>
internal sealed class TestTransportProvider : TransportProvider
{
    private readonly ConcurrentDictionary<string, object> _endpoints = new();

    public override string Type => "test";

    public T Add<T>(string name, T endpoint) where T : class
    {
        _endpoints[name] = endpoint;
        return endpoint;
    }

    public static StreamDescriptor Descriptor(string name, EncodingDescriptor? encoding = null, BatchingDescriptor? batching = null,
        SchemaReference? schema = null, int? lingerTime = 3000, bool canRead = true, bool canWrite = true)
    {
        using JsonDocument fields = JsonDocument.Parse($$"""{"Type":"test","Name":"{{name}}"}""");
        return new StreamDescriptor
        {
            Transport = new CustomTransportDescriptor("test", fields.RootElement, preservesRecordBoundaries: true, isSeekable: false, canRead, canWrite),
            Envelope = null,
            Encoding = encoding ?? EncodingDescriptor.Utf8,
            Batching = batching ?? BatchingDescriptor.Normal,
            Schema = schema ?? SchemaReference.Inherit,
            LingerTime = lingerTime,
        };
    }

    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context) =>
        (InputTransport)_endpoints[NameOf(descriptor)];

    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context) =>
        (OutputTransport)_endpoints[NameOf(descriptor)];

    private static string NameOf(StreamDescriptor descriptor) =>
        ((CustomTransportDescriptor)descriptor.Transport).Fields.GetProperty("Name").GetString()!;
}

/// <summary>A message input the test feeds record by record; completes when the test says so. Records acknowledgements.</summary>
internal sealed class ChannelInput : MessageInputTransport
{
    private readonly Channel<(string Record, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? Headers)> _records =
        Channel.CreateUnbounded<(string, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?)>();
    private long _read;
    private long _acknowledged;

    /// <summary>Gets how many messages the stream has read.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Gets the number (1-based) of the last acknowledged message, 0 for none.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Gets, per acknowledgement, the acknowledged message number and what the output had made durable then.</summary>
    public ConcurrentQueue<(long Message, int DurableOutputs)> Acknowledgements { get; } = new();

    /// <summary>Gets or sets the output whose durable count is recorded at each acknowledgement.</summary>
    public CollectingOutput? Watch { get; set; }

    public bool Disposed { get; private set; }

    public ChannelInput Write(params string[] records)
    {
        foreach (string record in records)
        {
            _records.Writer.TryWrite((record, null));
        }

        return this;
    }

    /// <summary>Writes a record whose message carries headers (e.g. a W3C traceparent).</summary>
    public ChannelInput WriteWithHeaders(string record, params (string Name, string Value)[] headers)
    {
        _records.Writer.TryWrite((record, [.. headers.Select(h => new KeyValuePair<string, ReadOnlyMemory<byte>>(h.Name, Encoding.UTF8.GetBytes(h.Value)))]));
        return this;
    }

    public void Complete() => _records.Writer.TryComplete();

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        if (!await _records.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }

        while (batch.Count < maxMessages && _records.Reader.TryRead(out (string Record, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>? Headers) item))
        {
            long number = Interlocked.Increment(ref _read);
            batch.Add(new InputMessage(Encoding.UTF8.GetBytes(item.Record), new MessageMetadata { Position = $"test@{number}", Token = number, Headers = item.Headers }));
        }

        return true;
    }

    public override ValueTask AcknowledgeAsync(InputMessage upTo, CancellationToken cancellationToken)
    {
        long number = (long)upTo.Metadata!.Token!;
        Acknowledgements.Enqueue((number, Watch?.Durable ?? -1));
        Interlocked.Exchange(ref _acknowledged, number);
        return default;
    }

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        return base.DisposeAsync();
    }
}

/// <summary>An endless (or long) input: serves records <c>"1"</c>, <c>"2"</c>... in messages of <see cref="PerRead"/> records, counting what it served.</summary>
internal sealed class CountingInput(long total, int perRead = 100) : MessageInputTransport
{
    private long _served;

    public int PerRead { get; } = perRead;

    public long Served => Interlocked.Read(ref _served);

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

    public override ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long served = Served;
        if (served >= total)
        {
            return ValueTask.FromResult(false);
        }

        int n = (int)Math.Min(Math.Min(PerRead, maxMessages), total - served);
        for (int i = 1; i <= n; i++)
        {
            batch.Add(new InputMessage(Encoding.UTF8.GetBytes((served + i).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        Interlocked.Add(ref _served, n);
        return ValueTask.FromResult(true);
    }
}

/// <summary>A message output that keeps every record as text; it can be closed (a gate) to block writes, as a slow sink would.</summary>
internal sealed class CollectingOutput : MessageOutputTransport
{
    private readonly List<string> _records = [];
    private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _gate = Open();
    private int _durable;

    public CollectingOutput(bool blocked = false)
    {
        if (blocked)
        {
            Block();
        }
    }

    /// <summary>Gets a task that completes when the first write arrives (it may then be blocked at the gate).</summary>
    public Task FirstWrite => _firstWrite.Task;

    public bool Completed { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Gets how many records had been written when the last flush completed.</summary>
    public int Durable => Volatile.Read(ref _durable);

    public int Flushes { get; private set; }

    public IReadOnlyList<string> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_records)
            {
                return _records.Count;
            }
        }
    }

    public void Block() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

    public override async ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
    {
        _firstWrite.TrySetResult();
        await _gate.Task.WaitAsync(cancellationToken);
        lock (_records)
        {
            foreach (ReadOnlyMemory<byte> message in messages)
            {
                _records.Add(Encoding.UTF8.GetString(message.Span));
            }
        }
    }

    /// <summary>Gets the headers written with each record (null entries: none), in order.</summary>
    public List<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?> Headers { get; } = [];

    public override async ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, IReadOnlyList<IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>>?> headers, CancellationToken cancellationToken)
    {
        await WriteAsync(messages, cancellationToken);
        lock (_records)
        {
            Headers.AddRange(headers);
        }
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Flushes++;
        Volatile.Write(ref _durable, Count);
        return default;
    }

    public override ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _durable, Count);
        Completed = true;
        return default;
    }

    public override ValueTask DisposeAsync()
    {
        Disposed = true;
        return base.DisposeAsync();
    }

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }
}

/// <summary>An input that delivers some records, then fails.</summary>
internal sealed class FailingInput(params string[] before) : MessageInputTransport
{
    private bool _delivered;

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken) => default;

    public override ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        if (_delivered)
        {
            throw new IOException("connection reset by peer");
        }

        _delivered = true;
        batch.AddRange(before.Select(r => new InputMessage(Encoding.UTF8.GetBytes(r))));
        return ValueTask.FromResult(true);
    }
}

/// <summary>An output whose writes fail.</summary>
internal sealed class FailingOutput : MessageOutputTransport
{
    public override ValueTask OpenAsync(CancellationToken cancellationToken) => default;

    public override ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken) =>
        throw new IOException("disk full");

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

    public override ValueTask CompleteAsync(CancellationToken cancellationToken) => default;
}
