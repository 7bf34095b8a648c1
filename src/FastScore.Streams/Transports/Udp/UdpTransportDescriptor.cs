using System.Globalization;

namespace FastScore.Streams.Descriptors;

/// <summary>
/// UDP: each datagram is one record. An input receives on <see cref="BindTo"/>:<see cref="Port"/>; an output sends to
/// <see cref="Host"/>:<see cref="Port"/>. Read, checked and expanded from the <c>udp::PORT</c> and
/// <c>udp:HOST:PORT</c> literals by the core's udp provider (docs/udp.md).
/// </summary>
internal sealed record UdpTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Udp;

    /// <summary>Gets the address an input binds to (<c>BindTo</c>; <c>Bind</c> is accepted, and an input given only <c>Host</c> binds to it, as FastScore's <c>udp:HOST:PORT</c> literal meant).</summary>
    /// <value>The default value is <c>"0.0.0.0"</c>.</value>
    public string BindTo { get; init; } = "0.0.0.0";

    /// <summary>Gets the port: received on (input) or sent to (output).</summary>
    public required int Port { get; init; }

    /// <summary>Gets the host an output sends its datagrams to, or <see langword="null"/> (an input needs none).</summary>
    public string? Host { get; init; }

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;

    /// <inheritdoc />
    public override bool IsSeekable => false;

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(BindTo))
        {
            errors.Add("BindTo", $"must be a non-empty string; found {(BindTo is null ? "null" : "\"\"")}.");
        }

        if (Host is { Length: 0 })
        {
            errors.Add("Host", "must be the host an output sends to, or null; found \"\".");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add("Port", $"must be {Json.Allowed.ListenPort}; found {Port.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("BindTo", BindTo);
        writer.WriteNumber("Port", Port);
        if (Host is not null)
        {
            writer.WriteString("Host", Host);
        }
    }
}

// This transport's builder method: one part of StreamDescriptorBuilder per transport folder.
public sealed partial class StreamDescriptorBuilder
{
    /// <summary>Uses UDP: an input receives each datagram on <paramref name="port"/> as one record; an output sends each record to <paramref name="host"/>:<paramref name="port"/>.</summary>
    /// <param name="port">The port (an input may give 0: the system picks one).</param>
    /// <param name="host">The host an output sends to; <see langword="null"/> for an input.</param>
    /// <param name="bindTo">The local address an input binds to.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseUdp(int port, string? host = null, string bindTo = "0.0.0.0") => UseTransport(new UdpTransportDescriptor { Port = port, Host = host, BindTo = bindTo ?? string.Empty });
}
