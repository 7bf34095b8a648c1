using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Transports.Tcp;

/// <summary>
/// TCP output: connects to <c>Host:Port</c> and writes the framed records. The bytes of each flush (the stream flushes
/// after whole records) are held until the socket has taken all of them: <see cref="FlushAsync"/> completes, and the
/// engine acknowledges the inputs, only then. When the connection breaks, the output reconnects with exponential
/// backoff (100 ms doubling to 5 s, for at most <see cref="ReconnectTimeout"/>) and sends the held bytes again from
/// their first record, so a record is never cut in two on the new connection (at-least-once: a record the old
/// connection carried may arrive twice). The first connection is not retried: a wrong host or port fails the stream at
/// once. TCP has no application acknowledgement: bytes the system accepted are "written" even if the connection then
/// dies before the peer reads them.
/// </summary>
internal sealed class TcpOutput : ByteOutputTransport
{
    private readonly string _streamName;
    private readonly string _host;
    private readonly int _port;
    private readonly ILogger _logger;
    private ReconnectingStream? _stream;
    private PipeWriter? _writer;

    public TcpOutput(string streamName, string host, int port, ILogger logger)
    {
        _streamName = streamName;
        _host = host;
        _port = port;
        _logger = logger;
    }

    /// <summary>Gets or sets how long the output tries to reconnect before the stream fails.</summary>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets how many times the output reconnected.</summary>
    public int Reconnects => _stream?.Reconnects ?? 0;

    public override string DisplayName => "tcp:" + NetworkErrors.Display(_host, _port);

    public override PipeWriter Writer => _writer ?? throw new InvalidOperationException("The output is not open.");

    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        Socket socket = await TcpConnect.ConnectAsync(_streamName, _host, _port, cancellationToken).ConfigureAwait(false);
        _stream = new ReconnectingStream(this, socket);
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024, leaveOpen: true));
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_writer is not null)
        {
            await _writer.FlushAsync(cancellationToken).ConfigureAwait(false); // the stream sends on flush
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

        _stream?.Shutdown();
    }

    public override async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            // not completed: what is held was never acknowledged; do not send it
            _stream?.Abandon();
            await _writer.CompleteAsync().ConfigureAwait(false);
            _writer = null;
        }

        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            _stream = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Holds the bytes written until flushed, then sends them whole, reconnecting when needed.</summary>
    private sealed class ReconnectingStream(TcpOutput owner, Socket socket) : ForwardWriteStream
    {
        private readonly ArrayBufferWriter<byte> _held = new(64 * 1024);
        private Socket? _socket = socket;
        private bool _abandoned;

        public int Reconnects { get; private set; }

        public void Abandon()
        {
            _abandoned = true;
            _held.Clear();
        }

        public void Shutdown()
        {
            try
            {
                _socket?.Shutdown(SocketShutdown.Send); // the peer sees the end of the stream
            }
            catch (SocketException)
            {
                // already gone
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!_abandoned)
            {
                _held.Write(buffer);
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return default;
        }

        public override void Flush() => throw new NotSupportedException("The TCP output flushes asynchronously.");

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_held.WrittenCount == 0 || _abandoned)
            {
                return;
            }

            int attempt = 0;
            long giveUp = 0;
            while (true)
            {
                try
                {
                    if (_socket is not null && PeerClosed(_socket))
                    {
                        throw new SocketException((int)SocketError.ConnectionReset); // bytes sent now would be lost
                    }

                    Socket s = _socket ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
                    if (attempt > 0)
                    {
                        TcpLog.Reconnected(owner._logger, owner._streamName, owner.DisplayName, _held.WrittenCount);
                    }

                    ReadOnlyMemory<byte> bytes = _held.WrittenMemory;
                    while (!bytes.IsEmpty)
                    {
                        int sent = await s.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                        bytes = bytes[sent..];
                    }

                    _held.Clear(); // written: the stream may acknowledge
                    if (_held.Capacity > 4 * 1024 * 1024)
                    {
                        _held.ResetWrittenCount();
                    }

                    return;
                }
                catch (Exception ex) when (ex is SocketException or IOException or StreamException && !cancellationToken.IsCancellationRequested)
                {
                    _socket?.Dispose();
                    _socket = null;
                    if (attempt == 0)
                    {
                        giveUp = Environment.TickCount64 + (long)owner.ReconnectTimeout.TotalMilliseconds;
                    }

                    if (Environment.TickCount64 >= giveUp)
                    {
                        throw new StreamException($"Stream '{owner._streamName}': TCP output to {owner.DisplayName} lost its connection and could not reconnect within {owner.ReconnectTimeout.TotalSeconds:0.#} s: {Reason(ex)}.", ex)
                        {
                            StreamName = owner._streamName,
                        };
                    }

                    int delay = (int)Math.Min(5000, 100 * Math.Pow(2, Math.Min(attempt, 10)));
                    attempt++;
                    Reconnects++;
                    TcpLog.Reconnecting(owner._logger, owner._streamName, owner.DisplayName, Reason(ex), delay, attempt);
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override ValueTask DisposeAsync()
        {
            _socket?.Dispose();
            _socket = null;
            return base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _socket?.Dispose();
                _socket = null;
            }

            base.Dispose(disposing);
        }

        // The peer closed (readable with nothing to read, or reset): the system would still accept bytes for it, and lose them.
        private static bool PeerClosed(Socket s)
        {
            try
            {
                return s.Poll(0, SelectMode.SelectRead) && s.Available == 0;
            }
            catch (SocketException)
            {
                return true;
            }
        }

        private static string Reason(Exception ex) => ex switch
        {
            SocketException se => NetworkErrors.Describe(se.SocketErrorCode),
            IOException { InnerException: SocketException se } => NetworkErrors.Describe(se.SocketErrorCode),
            _ => ex.Message,
        };

        private async ValueTask<Socket> ConnectAsync(CancellationToken cancellationToken)
        {
            _socket = await TcpConnect.ConnectAsync(owner._streamName, owner._host, owner._port, cancellationToken).ConfigureAwait(false);
            return _socket;
        }
    }
}
