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
/// connecting input, a reconnecting output (docs/tcp.md). It reads, checks and expands its own descriptor and literal.
/// </summary>
internal sealed class TcpTransportProvider : TransportProvider
{
    public override string Type => TransportTypes.Tcp;

    public override IReadOnlyList<string>? Fields => ["Host", "Port"];

    public override IReadOnlyList<LiteralTag> LiteralTags => [new("tcp", "tcp:10.0.0.1:5678 or tcp::5678")];

    protected internal override TransportDescriptor Read(DescriptorFields fields) => new TcpTransportDescriptor
    {
        Host = fields.RequiredString("Host"),
        Port = (int)fields.RequiredInteger("Port", Descriptors.Json.Allowed.Port),
    };

    /// <summary><c>tcp:HOST:PORT</c> connects, <c>tcp::PORT</c> listens (Host <c>0.0.0.0</c>).</summary>
    protected internal override void ExpandLiteral(LiteralContext context)
    {
        (string host, int port) = HostAndPort(context, "needs host:port or :port");
        context.Transport.WriteStartObject();
        context.Transport.WriteString(nameof(TransportDescriptor.Type), "TCP");
        context.Transport.WriteString("Host", host.Length == 0 ? "0.0.0.0" : host);
        context.Transport.WriteNumber("Port", port);
        context.Transport.WriteEndObject();
    }

    /// <summary>Splits <c>HOST:PORT</c> or <c>:PORT</c> at the last colon.</summary>
    internal static (string Host, int Port) HostAndPort(LiteralContext context, string problem)
    {
        string rest = context.Details;
        int last = rest.LastIndexOf(':');
        if (last < 0 || !int.TryParse(rest.AsSpan(last + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port))
        {
            throw context.Fail(problem);
        }

        return (rest[..last], port);
    }

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

    /// <summary>An output connects: its host must name one (an empty or 0.0.0.0 host listens, which only an input does).</summary>
    internal override void CheckDirection(StreamDescriptor descriptor, bool input)
    {
        var tcp = (TcpTransportDescriptor)descriptor.Transport;
        if (!input && NetworkErrors.IsAnyHost(tcp.Host))
        {
            throw new DescriptorException("Transport.Host", $"a TCP output connects: give the host to send to; found \"{tcp.Host}\" (an empty or 0.0.0.0 host listens, which only an input does).");
        }
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
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.Ordinal) { ["Bind"] = "BindTo" };

    public override string Type => TransportTypes.Udp;

    public override IReadOnlyList<string>? Fields => ["BindTo", "Port", "Host"];

    /// <summary>FastScore's docs spell the field <c>Bind</c> once: read as <c>BindTo</c>.</summary>
    public override IReadOnlyDictionary<string, string>? FieldAliases => s_aliases;

    public override IReadOnlyList<LiteralTag> LiteralTags => [new("udp", "udp::9099 or udp:10.0.0.1:9099")];

    public override bool IsSeekable => false;

    /// <summary>Reads <c>BindTo</c> (input), <c>Host</c> (output) and <c>Port</c>; an input given only <c>Host</c> binds to it (FastScore's <c>udp:HOST:PORT</c>).</summary>
    protected internal override TransportDescriptor Read(DescriptorFields fields)
    {
        string? host = fields.OptionalString("Host");
        return new UdpTransportDescriptor
        {
            BindTo = fields.OptionalString("BindTo") ?? host ?? "0.0.0.0",
            Host = host,
            Port = (int)fields.RequiredInteger("Port", Descriptors.Json.Allowed.ListenPort),
        };
    }

    /// <summary><c>udp::PORT</c> binds every address, <c>udp:ADDRESS:PORT</c> one (written as FastScore did, as <c>Host</c>).</summary>
    protected internal override void ExpandLiteral(LiteralContext context)
    {
        (string host, int port) = TcpTransportProvider.HostAndPort(context, "needs host:port or :port");
        context.Transport.WriteStartObject();
        context.Transport.WriteString(nameof(TransportDescriptor.Type), "UDP");
        if (host.Length != 0)
        {
            context.Transport.WriteString("Host", host);
        }

        context.Transport.WriteNumber("Port", port);
        context.Transport.WriteEndObject();
    }

    public override bool PreservesRecordBoundaries => true;

    public override InputTransport CreateInput(StreamDescriptor descriptor, TransportContext context)
    {
        var udp = (UdpTransportDescriptor)descriptor.Transport;
        return new UdpInput(context.StreamName, udp.BindTo, udp.Port);
    }

    /// <summary>An output sends to <c>Host:Port</c>: both must name a destination (an input needs neither).</summary>
    internal override void CheckDirection(StreamDescriptor descriptor, bool input)
    {
        var udp = (UdpTransportDescriptor)descriptor.Transport;
        if (input)
        {
            return;
        }

        if (string.IsNullOrEmpty(udp.Host) || NetworkErrors.IsAnyHost(udp.Host))
        {
            throw new DescriptorException("Transport.Host", "a UDP output sends each record to Host:Port: give the host to send to (0.0.0.0 and no host only receive).");
        }

        if (udp.Port is < 1 or > 65535)
        {
            throw new DescriptorException("Transport.Port", $"a UDP output sends to a port from 1 to 65535; found {udp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }

    public override OutputTransport CreateOutput(StreamDescriptor descriptor, TransportContext context)
    {
        CheckDirection(descriptor, input: false);
        var udp = (UdpTransportDescriptor)descriptor.Transport;
        return new UdpOutput(context.StreamName, udp.Host!, udp.Port, context.LoggerFactory.CreateLogger<UdpOutput>());
    }
}

/// <summary>The <c>exec</c> transport: a child process's stdout (input) or stdin (output), never through a shell (docs/exec.md).</summary>
internal sealed class ExecTransportProvider : TransportProvider
{
    public override string Type => TransportTypes.Exec;

    public override IReadOnlyList<string>? Fields => ["Run", "Args"];

    public override IReadOnlyList<LiteralTag> LiteralTags => [new("exec", "exec:/usr/local/bin/produce.sh")];

    protected internal override TransportDescriptor Read(DescriptorFields fields) => new ExecTransportDescriptor
    {
        Run = fields.RequiredString("Run"),
        Args = fields.OptionalStringArray("Args") ?? [],
    };

    /// <summary><c>exec:PROGRAM</c> runs the program without arguments.</summary>
    protected internal override void ExpandLiteral(LiteralContext context)
    {
        if (context.Details.Length == 0)
        {
            throw context.Fail("needs the program to run");
        }

        context.Transport.WriteStartObject();
        context.Transport.WriteString(nameof(TransportDescriptor.Type), "exec");
        context.Transport.WriteString("Run", context.Details);
        context.Transport.WriteEndObject();
    }

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

    public override IReadOnlyList<string>? Fields => ["Url", "Chunked"];

    public override IReadOnlyList<LiteralTag> LiteralTags => [new("http", "http://host:8080/data.jsons"), new("https", "https://host/data.jsons")];

    protected internal override TransportDescriptor Read(DescriptorFields fields) => new HttpTransportDescriptor
    {
        Url = fields.RequiredString("Url"),
        Chunked = fields.OptionalBoolean("Chunked", false),
    };

    /// <summary>An <c>http://</c> or <c>https://</c> URL is its own literal; its path (before <c>?</c> or <c>#</c>) names the encoding.</summary>
    protected internal override void ExpandLiteral(LiteralContext context)
    {
        context.Transport.WriteStartObject();
        context.Transport.WriteString(nameof(TransportDescriptor.Type), "HTTP");
        context.Transport.WriteString("Url", context.Literal.Trim());
        context.Transport.WriteEndObject();
        int cut = context.Details.IndexOfAny(['?', '#']);
        context.EncodingSource = cut >= 0 ? context.Details[..cut] : context.Details;
    }

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
