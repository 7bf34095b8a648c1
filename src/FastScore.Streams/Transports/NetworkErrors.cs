using System.Net.Sockets;

namespace FastScore.Streams.Transports;

/// <summary>
/// Turns socket failures into stream errors that name the stream and the descriptor field at fault (point 7 of the
/// transports issue: port in use, connection refused, unknown host...). Shared by the TCP, UDP and HTTP transports.
/// </summary>
internal static class NetworkErrors
{
    /// <summary>Describes a socket error in words a user acts on.</summary>
    public static string Describe(SocketError error) => error switch
    {
        SocketError.AddressAlreadyInUse => "the port is already in use",
        SocketError.AddressNotAvailable => "the address is not one of this machine's",
        SocketError.AccessDenied => "permission denied (ports below 1024 need privileges)",
        SocketError.ConnectionRefused => "connection refused (nothing listens there)",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        SocketError.TimedOut => "timed out",
        SocketError.ConnectionReset => "connection reset by the peer",
        SocketError.ConnectionAborted => "connection aborted",
        SocketError.Shutdown => "the connection was shut down",
        _ => error.ToString(),
    };

    /// <summary>The descriptor field a socket error points at.</summary>
    public static string Field(SocketError error) => error switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.AddressNotAvailable
            or SocketError.HostUnreachable or SocketError.NetworkUnreachable => "Transport.Host",
        _ => "Transport.Port",
    };

    /// <summary>Creates the error of a failed bind (listen) or connect.</summary>
    /// <param name="stream">The stream's name.</param>
    /// <param name="transport">The transport's name (TCP, UDP).</param>
    /// <param name="what">What failed: "listen on", "connect to", "bind".</param>
    /// <param name="host">The host as written.</param>
    /// <param name="port">The port.</param>
    /// <param name="ex">The socket error.</param>
    /// <param name="hostField">The name of the descriptor field holding the host.</param>
    public static StreamException Fail(string stream, string transport, string what, string host, int port, SocketException ex, string hostField = "Transport.Host")
    {
        string field = Field(ex.SocketErrorCode) == "Transport.Host" ? hostField : "Transport.Port";
        return new StreamException($"Stream '{stream}': {transport} cannot {what} {Display(host, port)} ({field}): {Describe(ex.SocketErrorCode)}.", ex)
        {
            StreamName = stream,
        };
    }

    /// <summary>Formats a host and port (IPv6 in brackets).</summary>
    public static string Display(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>Whether the host means "listen on every interface" (empty, <c>0.0.0.0</c>, <c>::</c>, <c>*</c>).</summary>
    public static bool IsAnyHost(string? host) =>
        string.IsNullOrWhiteSpace(host) || host is "0.0.0.0" or "::" or "[::]" or "*";
}
