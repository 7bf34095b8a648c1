using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Transports.Tcp;

/// <summary>
/// TCP input that listens on <c>Port</c> (host empty or <c>0.0.0.0</c>) and accepts any number of clients. Each
/// client's bytes are cut into records by a framer of its own, so records of different clients never mix; complete
/// records of all clients are merged, in arrival order, into one stream of messages. A client that disconnects in the
/// middle of a record loses only that partial record, which is reported (a warning naming the stream, the client and
/// the byte offset, and <see cref="PartialRecords"/>). A clean close is the end of that client's bytes, as the end of a
/// file is: a last record without separator still counts. The input never ends by itself; the stream is stopped.
/// </summary>
internal sealed class TcpListenInput : MessageInputTransport
{
    /// <summary>The bytes read from a client socket at a time.</summary>
    public const int BufferSize = 64 * 1024;

    private readonly string _streamName;
    private readonly string _host;
    private readonly int _port;
    private readonly Func<Framer> _framers;
    private readonly ILogger _logger;
    private readonly Channel<FrameChunk> _chunks = Channel.CreateBounded<FrameChunk>(new BoundedChannelOptions(16)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private readonly List<Socket> _clientSockets = [];
    private readonly List<FrameChunk> _handedOut = [];
    private Socket? _listener;
    private Task? _acceptLoop;
    private FrameChunk? _current;
    private long _partialRecords;
    private long _rejectedRecords;
    private long _connections;

    /// <summary>Creates the input.</summary>
    /// <param name="streamName">The stream's name, for errors and logs.</param>
    /// <param name="host">The host as written (empty, <c>0.0.0.0</c> or <c>::</c>): listen on every interface.</param>
    /// <param name="port">The port, or 0 for one the system picks (see <see cref="LocalPort"/>).</param>
    /// <param name="framers">Creates a framer for each client (the stream's envelope).</param>
    /// <param name="logger">Receives the connection reports.</param>
    public TcpListenInput(string streamName, string host, int port, Func<Framer> framers, ILogger logger)
    {
        _streamName = streamName;
        _host = host;
        _port = port;
        _framers = framers;
        _logger = logger;
    }

    public override string DisplayName => "tcp::" + (LocalPort != 0 ? LocalPort : _port);

    /// <summary>Gets the port listened on (the system's choice when the descriptor says 0), or 0 before opening.</summary>
    public int LocalPort => (_listener?.LocalEndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>Gets how many partial records were lost because their client disconnected in the middle.</summary>
    public long PartialRecords => Interlocked.Read(ref _partialRecords);

    /// <summary>Gets how many records the clients' framers rejected (oversized).</summary>
    public long RejectedRecords => Interlocked.Read(ref _rejectedRecords);

    /// <summary>Gets how many clients connected so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>TCP has no acknowledgements: nothing to wait for.</summary>
    public override bool RequiresAcknowledgement => false;

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken)
    {
        if (position is { Kind: not RecordPositionKind.Earliest })
        {
            throw new NotSupportedException($"Stream '{_streamName}': a TCP input cannot start at a record position (SkipToRecord).");
        }

        if (_listener is not null)
        {
            return default; // Loop reopens: the clients keep their connections
        }

        IPAddress address = _host is "::" or "[::]" ? IPAddress.IPv6Any : IPAddress.Any;
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(address, _port));
            listener.Listen(128);
        }
        catch (SocketException ex)
        {
            listener.Dispose();
            throw NetworkErrors.Fail(_streamName, "TCP", "listen on", string.IsNullOrEmpty(_host) ? "0.0.0.0" : _host, _port, ex);
        }

        _listener = listener;
        _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        return default;
    }

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (FrameChunk done in _handedOut)
        {
            done.Return(); // the caller copied their bytes at its previous call
        }

        _handedOut.Clear();
        int before = batch.Count;
        while (batch.Count - before < maxMessages)
        {
            if (_current is null)
            {
                if (!_chunks.Reader.TryRead(out _current))
                {
                    if (batch.Count > before)
                    {
                        break;
                    }

                    try
                    {
                        if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            return false;
                        }
                    }
                    catch (ChannelClosedException ex) when (ex.InnerException is StreamException inner)
                    {
                        throw inner;
                    }

                    continue;
                }
            }

            FrameChunk chunk = _current;
            while (chunk.Next < chunk.Count && batch.Count - before < maxMessages)
            {
                batch.Add(new InputMessage(chunk.Take(), chunk.Metadata));
            }

            if (chunk.Next == chunk.Count)
            {
                _handedOut.Add(chunk);
                _current = null;
            }
        }

        return true;
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        lock (_clientSockets)
        {
            foreach (Socket socket in _clientSockets)
            {
                socket.Dispose();
            }
        }

        Task[] tasks;
        lock (_clients)
        {
            tasks = [.. _clients, _acceptLoop ?? Task.CompletedTask];
        }

        // Every task ends once its socket is closed; wait a bounded time all the same.
        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _chunks.Writer.TryComplete();
        while (_chunks.Reader.TryRead(out FrameChunk? chunk))
        {
            chunk.Return();
        }

        _current?.Return();
        _current = null;
        foreach (FrameChunk done in _handedOut)
        {
            done.Return();
        }

        _handedOut.Clear();
        _stop.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        Socket listener = _listener!;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
                client.NoDelay = true;
                Interlocked.Increment(ref _connections);
                lock (_clientSockets)
                {
                    _clientSockets.Add(client);
                }

                lock (_clients)
                {
                    _clients.RemoveAll(t => t.IsCompleted);
                    _clients.Add(Task.Run(() => ServeClientAsync(client), CancellationToken.None));
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stop.IsCancellationRequested)
        {
            // stopped
        }
        catch (SocketException ex)
        {
            _chunks.Writer.TryComplete(new StreamException($"Stream '{_streamName}': TCP listener on port {_port} failed: {NetworkErrors.Describe(ex.SocketErrorCode)}.", ex) { StreamName = _streamName });
        }
    }

    private async Task ServeClientAsync(Socket socket)
    {
        string peer = socket.RemoteEndPoint?.ToString() ?? "?";
        var metadata = new MessageMetadata { Position = "tcp client " + peer };
        TcpLog.ClientConnected(_logger, _streamName, peer);
        PipeReader reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: true), new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: BufferSize / 4, leaveOpen: false));
        long consumedBytes = 0; // of this connection, up to the end of the last whole record
        long pendingBytes = 0; // read but not yet a whole record
        long records = 0;
        try
        {
            Framer framer;
            try
            {
                framer = _framers();
            }
            catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
            {
                throw new StreamException($"Stream '{_streamName}': Envelope: {ex.Message}", ex);
            }

            while (!_stop.IsCancellationRequested)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or SocketException)
                {
                    if (pendingBytes > 0)
                    {
                        LosePartial(peer, pendingBytes, consumedBytes, "the connection broke: " + (ex.InnerException ?? ex).Message);
                    }

                    break;
                }

                ReadOnlySequence<byte> buffer = result.Buffer;
                FrameChunk? chunk = FrameAll(framer, buffer, result.IsCompleted, metadata, peer, consumedBytes, out SequencePosition position, out long consumed, ref records, out bool broken);
                if (chunk is not null)
                {
                    await _chunks.Writer.WriteAsync(chunk, _stop.Token).ConfigureAwait(false);
                }

                consumedBytes += consumed;
                pendingBytes = buffer.Length - consumed;
                reader.AdvanceTo(position, buffer.End);
                if (broken)
                {
                    break;
                }

                if (result.IsCompleted)
                {
                    if (pendingBytes > 0)
                    {
                        LosePartial(peer, pendingBytes, consumedBytes, "the client closed the connection");
                    }

                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || _stop.IsCancellationRequested)
        {
            // stopped
        }
        catch (StreamException ex)
        {
            _chunks.Writer.TryComplete(ex);
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            lock (_clientSockets)
            {
                _clientSockets.Remove(socket);
            }

            socket.Dispose();
            TcpLog.ClientDisconnected(_logger, _streamName, peer, records);
        }
    }

    // Cuts every whole record out of the buffer into one chunk (null when none).
    private FrameChunk? FrameAll(Framer framer, in ReadOnlySequence<byte> buffer, bool isFinal, MessageMetadata metadata, string peer, long baseOffset,
        out SequencePosition position, out long consumed, ref long records, out bool broken)
    {
        var sequence = new SequenceReader<byte>(buffer);
        FrameChunk? chunk = null;
        broken = false;
        try
        {
            while (true)
            {
                long start = sequence.Consumed;
                FrameStatus status = framer.TryReadFrame(ref sequence, isFinal, out ReadOnlySequence<byte> frame);
                if (status == FrameStatus.Frame)
                {
                    (chunk ??= FrameChunk.Rent((int)buffer.Length, metadata)).Add(frame);
                    records++;
                }
                else if (status == FrameStatus.Rejected)
                {
                    Interlocked.Increment(ref _rejectedRecords);
                    TcpLog.RecordRejected(_logger, _streamName, peer, baseOffset + start, $"the record is longer than MaxRecordSize ({framer.MaxRecordSize} bytes)");
                }
                else if (status == FrameStatus.NeedMoreData)
                {
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // The bytes can never form a record (a truncated record at the end, OnOversize fail): that connection's
            // partial record is lost; the other clients and the stream go on.
            LosePartial(peer, sequence.Remaining, baseOffset + sequence.Consumed, ex.Message);
            broken = true;
        }

        position = broken ? buffer.End : sequence.Position;
        consumed = broken ? buffer.Length : sequence.Consumed;
        return chunk;
    }

    private void LosePartial(string peer, long bytes, long offset, string reason)
    {
        Interlocked.Increment(ref _partialRecords);
        TcpLog.PartialRecordLost(_logger, _streamName, peer, bytes, offset, Diagnostics.SafeText.MaskSecrets(reason));
    }

    /// <summary>Whole records of one client read, copied out of the socket buffer into one pooled array.</summary>
    private sealed class FrameChunk
    {
        private byte[] _data = [];
        private int[] _ends = [];
        private int _length;

        public int Count { get; private set; }

        public int Next { get; private set; }

        public MessageMetadata Metadata { get; private set; } = null!;

        public static FrameChunk Rent(int capacity, MessageMetadata metadata) => new()
        {
            _data = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 16)),
            _ends = ArrayPool<int>.Shared.Rent(64),
            Metadata = metadata,
        };

        public void Add(in ReadOnlySequence<byte> frame)
        {
            int length = (int)frame.Length;
            if (_length + length > _data.Length)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(_length + length);
                _data.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_data);
                _data = bigger;
            }

            frame.CopyTo(_data.AsSpan(_length));
            _length += length;
            if (Count == _ends.Length)
            {
                int[] more = ArrayPool<int>.Shared.Rent(Count * 2);
                _ends.AsSpan(0, Count).CopyTo(more);
                ArrayPool<int>.Shared.Return(_ends);
                _ends = more;
            }

            _ends[Count++] = _length;
        }

        public ReadOnlyMemory<byte> Take()
        {
            int start = Next == 0 ? 0 : _ends[Next - 1];
            int end = _ends[Next++];
            return _data.AsMemory(start, end - start);
        }

        public void Return()
        {
            if (_data.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_data);
                ArrayPool<int>.Shared.Return(_ends);
                _data = [];
                _ends = [];
            }
        }
    }
}
