using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Transports.Exec;
using FastScore.Streams.Transports.Http;
using FastScore.Streams.Transports.Tcp;
using FastScore.Streams.Transports.Udp;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Transports;

/// <summary>
/// The <c>tcp</c> transport: a listening input (empty or <c>0.0.0.0</c> host) framing each client on its own, a
/// connecting input, a reconnecting output (docs/tcp.md). Its descriptor is still read by the core's descriptor reader.
/// </summary>
internal sealed class TcpTransportProvider : TransportProvider
{
    public override string Type => TransportTypes.Tcp;

    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        var tcp = (TcpTransportDescriptor)descriptor.Transport;
        if (!NetworkErrors.IsAnyHost(tcp.Host))
        {
            return new TcpConnectInput(context.StreamName, tcp.Host, tcp.Port);
        }

        EnvelopeDescriptor? envelope = descriptor.Envelope;
        Func<Framer> framers = envelope switch
        {
            null => () => new NoneFramer(),
            DelimitedEnvelopeDescriptor d => () => new DelimitedFramer(d.Separator, d.MaxRecordSize, d.OnOversize),
            FixedEnvelopeDescriptor f => () => new FixedFramer(f.Size, f.MaxRecordSize, f.OnOversize),
            _ => throw new StreamException($"Stream '{context.StreamName}': a listening TCP input frames each client on its own with the delimited or fixed envelope (or none), not '{envelope.Type}' (Envelope).") { StreamName = context.StreamName },
        };
        return new TcpListenInput(context.StreamName, tcp.Host, tcp.Port, framers, context.LoggerFactory.CreateLogger<TcpListenInput>());
    }

    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        var tcp = (TcpTransportDescriptor)descriptor.Transport;
        if (NetworkErrors.IsAnyHost(tcp.Host))
        {
            throw new StreamException($"Stream '{context.StreamName}': a TCP output connects: Transport.Host must name the host to send to (an empty or 0.0.0.0 host listens, which only an input does).") { StreamName = context.StreamName };
        }

        return new TcpOutput(context.StreamName, tcp.Host, tcp.Port, context.LoggerFactory.CreateLogger<TcpOutput>());
    }
}

/// <summary>The <c>udp</c> transport: each datagram one record (docs/udp.md).</summary>
internal sealed class UdpTransportProvider : TransportProvider
{
    public override string Type => TransportTypes.Udp;

    public override bool PreservesRecordBoundaries => true;

    public override bool CanWrite => false;

    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        var udp = (UdpTransportDescriptor)descriptor.Transport;
        return new UdpInput(context.StreamName, udp.BindTo, udp.Port);
    }
}

/// <summary>The <c>exec</c> transport: a child process's stdout (input) or stdin (output), never through a shell (docs/exec.md).</summary>
internal sealed class ExecTransportProvider : TransportProvider
{
    public override string Type => TransportTypes.Exec;

    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        var exec = (ExecTransportDescriptor)descriptor.Transport;
        return new ExecInput(context.StreamName, exec.Run, exec.Args);
    }

    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        var exec = (ExecTransportDescriptor)descriptor.Transport;
        return new ExecOutput(context.StreamName, exec.Run, exec.Args);
    }
}

/// <summary>The <c>http</c> transport: a streamed GET, or one record per chunk with <c>Chunked: true</c> (docs/http.md).</summary>
internal sealed class HttpTransportProvider : TransportProvider
{
    public override string Type => TransportTypes.Http;

    public override bool IsSeekable => true;

    public override bool CanWrite => false;

    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        var http = (HttpTransportDescriptor)descriptor.Transport;
        return http.Chunked
            ? new HttpChunkedInput(context.StreamName, http.Url)
            : new HttpInput(context.StreamName, http.Url, context.LoggerFactory.CreateLogger<HttpInput>());
    }
}
