using System.IO.Pipelines;
using System.Net.Sockets;

namespace FastScore.Streams.Transports.Tcp;

/// <summary>
/// TCP input that connects to <c>Host:Port</c> and reads the bytes the server sends until it closes the connection (end
/// of stream). The stream's envelope cuts the bytes into records. Not seekable: a TCP connection cannot rewind.
/// </summary>
internal sealed class TcpConnectInput(string streamName, string host, int port) : ByteInputTransport
{
    /// <summary>The socket receive buffer the pipe reads with.</summary>
    public const int BufferSize = 64 * 1024;

    private Socket? _socket;

    public override string DisplayName => "tcp:" + NetworkErrors.Display(host, port);

    public override async ValueTask<PipeReader> OpenAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset != 0)
        {
            throw new NotSupportedException($"Stream '{streamName}': a TCP connection cannot start at an offset (SkipTo).");
        }

        _socket?.Dispose();
        _socket = await TcpConnect.ConnectAsync(streamName, host, port, cancellationToken).ConfigureAwait(false);
        return PipeReader.Create(new NetworkStream(_socket, ownsSocket: true), new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: BufferSize / 4, leaveOpen: false));
    }

    public override ValueTask DisposeAsync()
    {
        _socket?.Dispose();
        _socket = null;
        return base.DisposeAsync();
    }
}

/// <summary>Connects a TCP socket, turning failures into errors that name the stream and the field.</summary>
internal static class TcpConnect
{
    public static async ValueTask<Socket> ConnectAsync(string streamName, string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw NetworkErrors.Fail(streamName, "TCP", "connect to", host, port, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
