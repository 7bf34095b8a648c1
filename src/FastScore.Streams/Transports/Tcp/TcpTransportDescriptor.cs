using System.Globalization;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// TCP: connect to <see cref="Host"/>, or listen when it is <c>0.0.0.0</c> (also <c>::</c>). Read, checked and expanded
/// from the <c>tcp:HOST:PORT</c> (connect) and <c>tcp::PORT</c> (listen) literals by the core's tcp provider (docs/tcp.md).
/// </summary>
internal sealed record TcpTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Tcp;

    /// <summary>Gets the host.</summary>
    public required string Host { get; init; }

    /// <summary>Gets the port.</summary>
    public required int Port { get; init; }

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;

    /// <inheritdoc />
    public override bool IsSeekable => false;

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Host))
        {
            errors.Add("Host", $"must be a non-empty string; found {(Host is null ? "null" : "\"\"")}.");
        }

        bool listening = Host is "0.0.0.0" or "::" or "[::]";
        if (Port < (listening ? 0 : 1) || Port > 65535)
        {
            errors.Add("Port", $"must be {(listening ? Json.Allowed.ListenPort : Json.Allowed.Port)}; found {Port.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Host", Host);
        writer.WriteNumber("Port", Port);
    }
}

// This transport's builder method: one part of StreamDescriptorBuilder per transport folder.
public sealed partial class StreamDescriptorBuilder
{
    /// <summary>Uses TCP: connects to <paramref name="host"/>, or listens when it is <c>0.0.0.0</c> (inputs only).</summary>
    /// <param name="host">The host to connect to, or <c>0.0.0.0</c> to listen.</param>
    /// <param name="port">The port (0 lets a listening input pick one).</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseTcp(string host, int port) => UseTransport(new TcpTransportDescriptor { Host = host ?? string.Empty, Port = port });
}
