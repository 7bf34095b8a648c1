using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Transports.Tcp;

internal static partial class TcpLog
{
    [LoggerMessage(EventId = 1501, EventName = "TcpClientConnected", Level = LogLevel.Information, Message = "Stream {Stream}: TCP client {Peer} connected")]
    public static partial void ClientConnected(ILogger logger, string stream, string peer);

    [LoggerMessage(EventId = 1502, EventName = "TcpClientDisconnected", Level = LogLevel.Information, Message = "Stream {Stream}: TCP client {Peer} disconnected after {Records} records")]
    public static partial void ClientDisconnected(ILogger logger, string stream, string peer, long records);

    [LoggerMessage(EventId = 1503, EventName = "TcpPartialRecordLost", Level = LogLevel.Warning, Message = "Stream {Stream}: TCP client {Peer} disconnected in the middle of a record: its last {Bytes} bytes (from byte {Offset} of the connection) are not a whole record and are dropped ({Reason})")]
    public static partial void PartialRecordLost(ILogger logger, string stream, string peer, long bytes, long offset, string reason);

    [LoggerMessage(EventId = 1504, EventName = "TcpRecordRejected", Level = LogLevel.Warning, Message = "Stream {Stream}: TCP client {Peer}: record at byte {Offset} of the connection rejected: {Reason}")]
    public static partial void RecordRejected(ILogger logger, string stream, string peer, long offset, string reason);

    [LoggerMessage(EventId = 1505, EventName = "TcpReconnecting", Level = LogLevel.Warning, Message = "Stream {Stream}: TCP connection to {Endpoint} lost ({Reason}); reconnecting in {DelayMs} ms (attempt {Attempt})")]
    public static partial void Reconnecting(ILogger logger, string stream, string endpoint, string reason, int delayMs, int attempt);

    [LoggerMessage(EventId = 1506, EventName = "TcpReconnected", Level = LogLevel.Information, Message = "Stream {Stream}: TCP connection to {Endpoint} re-established; resending {Bytes} unacknowledged bytes")]
    public static partial void Reconnected(ILogger logger, string stream, string endpoint, int bytes);
}
