using System.Net;
using System.Net.Sockets;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Transports.Udp;

/// <summary>
/// UDP input: binds <c>BindTo:Port</c> and makes each datagram one record (no envelope). Datagrams are received in
/// batches: after the first, every datagram already waiting is taken without another wait. UDP has no
/// acknowledgements and no retransmission: a datagram the system drops (its receive buffer full) is lost; the input
/// never ends by itself.
/// </summary>
internal sealed class UdpInput(string streamName, string bindTo, int port) : MessageInputTransport
{
    /// <summary>The largest UDP payload (65 535 − 8 − 20).</summary>
    public const int MaxDatagram = 65507;

    private const int BufferSize = 1024 * 1024;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize);
    private Socket? _socket;
    private MessageMetadata? _metadata;

    public override string DisplayName => "udp:" + NetworkErrors.Display(string.IsNullOrEmpty(bindTo) ? "0.0.0.0" : bindTo, LocalPort != 0 ? LocalPort : port);

    /// <summary>Gets the port bound (the system's choice when the descriptor says 0), or 0 before opening.</summary>
    public int LocalPort => (_socket?.LocalEndPoint as IPEndPoint)?.Port ?? 0;

    /// <summary>UDP has no acknowledgements.</summary>
    public override bool RequiresAcknowledgement => false;

    public override ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken)
    {
        if (position is { Kind: not RecordPositionKind.Earliest })
        {
            throw new NotSupportedException($"Stream '{streamName}': a UDP input cannot start at a record position (SkipToRecord).");
        }

        if (_socket is not null)
        {
            return default;
        }

        IPAddress address;
        if (NetworkErrors.IsAnyHost(bindTo))
        {
            address = bindTo is "::" or "[::]" ? IPAddress.IPv6Any : IPAddress.Any;
        }
        else if (!IPAddress.TryParse(bindTo.Trim('[', ']'), out address!))
        {
            try
            {
                address = Dns.GetHostAddresses(bindTo).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                    ?? throw new SocketException((int)SocketError.HostNotFound);
            }
            catch (SocketException ex)
            {
                throw NetworkErrors.Fail(streamName, "UDP", "bind", bindTo, port, ex, "Transport.BindTo");
            }
        }

        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = 4 * 1024 * 1024;
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw NetworkErrors.Fail(streamName, "UDP", "bind", address.ToString(), port, ex, "Transport.BindTo");
        }

        _socket = socket;
        _metadata = new MessageMetadata { Position = DisplayName };
        return default;
    }

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Socket socket = _socket ?? throw new InvalidOperationException("The input is not open.");
        int used = 0;
        int received;
        try
        {
            received = await socket.ReceiveAsync(_buffer.AsMemory(0, MaxDatagram + 1), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        batch.Add(new InputMessage(_buffer.AsMemory(0, Math.Min(received, MaxDatagram)), _metadata));
        used = received;
        int taken = 1;
        while (taken < maxMessages && BufferSize - used > MaxDatagram && socket.Available > 0)
        {
            received = socket.Receive(_buffer.AsSpan(used, MaxDatagram + 1), SocketFlags.None);
            batch.Add(new InputMessage(_buffer.AsMemory(used, Math.Min(received, MaxDatagram)), _metadata));
            used += received;
            taken++;
        }

        return true;
    }

    public override ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _socket = null;
        return base.DisposeAsync();
    }
}

/// <summary>
/// UDP output: sends each record as one datagram to <c>Host:Port</c>. At most once: UDP confirms nothing, so a
/// datagram nobody receives is lost without a trace (when the system learns that nothing listens, the output logs it
/// and counts the record in <see cref="OutputTransport.UndeliveredRecords"/>). A record longer than 65 507 bytes cannot
/// be one datagram: the stream fails naming it.
/// </summary>
internal sealed class UdpOutput(string streamName, string host, int port, ILogger logger) : MessageOutputTransport
{
    private Socket? _socket;
    private long _undelivered;
    private long _undeliveredBytes;
    private long _sent;

    public override string DisplayName => "udp:" + NetworkErrors.Display(host, port);

    public override long UndeliveredRecords => _undelivered;

    public override long UndeliveredBytes => _undeliveredBytes;

    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false); // resolves the host, fixes the peer
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw NetworkErrors.Fail(streamName, "UDP", "send to", host, port, ex);
        }

        _socket = socket;
    }

    public override async ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        Socket socket = _socket ?? throw new InvalidOperationException("The output is not open.");
        foreach (ReadOnlyMemory<byte> message in messages)
        {
            if (message.Length > UdpInput.MaxDatagram)
            {
                throw new StreamException($"Stream '{streamName}': record {_sent + 1} is {message.Length} bytes, more than one UDP datagram holds ({UdpInput.MaxDatagram}).") { StreamName = streamName };
            }

            try
            {
                await socket.SendAsync(message, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused)
            {
                // an earlier datagram was refused (ICMP port unreachable): this one may or may not have been sent
                _undelivered++;
                _undeliveredBytes += message.Length;
                UdpLog.Refused(logger, streamName, DisplayName);
            }

            _sent++;
        }
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => default;

    public override ValueTask CompleteAsync(CancellationToken cancellationToken) => default;

    public override ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _socket = null;
        return base.DisposeAsync();
    }
}

internal static partial class UdpLog
{
    [LoggerMessage(EventId = 1521, EventName = "UdpRefused", Level = LogLevel.Warning, Message = "Stream {Stream}: nothing listens at {Endpoint} (the system reported a refused datagram); records sent there are lost")]
    public static partial void Refused(ILogger logger, string stream, string endpoint);
}
