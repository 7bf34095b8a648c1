using System.Globalization;
using System.Text;

namespace FastScore.Streams.Descriptors.Json;

/// <summary>Value rules for each transport's fields (ranges, formats, pairs of fields that go together).</summary>
internal static class TransportRules
{
    public static void Validate(TransportDescriptor transport, ErrorSink sink, string path = "Transport")
    {
        string P(string name) => DescriptorPath.Join(path, name);
        switch (transport)
        {
            case HttpTransportDescriptor http:
                if (!IsHttpUrl(http.Url))
                {
                    sink.Error(P("Url"), $"must be an absolute http or https URL, e.g. \"https://host/data.jsons\"; found {Node.Quote(http.Url)}.");
                }

                break;
            case KafkaTransportDescriptor kafka:
                ValidateKafka(kafka, sink, P);
                break;
            case OdbcTransportDescriptor odbc:
                NonEmpty(odbc.ConnectionString, P("ConnectionString"), sink);
                if (odbc.SelectQuery is null && odbc.InsertIntoTable is null)
                {
                    sink.Error(path, "an odbc transport needs SelectQuery (to be an input) or InsertIntoTable (to be an output); found neither.");
                }

                if (odbc.OutputFields is not null && odbc.InsertIntoTable is null)
                {
                    sink.Error(P("OutputFields"), "needs InsertIntoTable (OutputFields names the columns written by an output); found no InsertIntoTable.");
                }

                if (odbc.SelectQuery is { Length: 0 })
                {
                    sink.Error(P("SelectQuery"), "must be a non-empty query or null; found \"\".");
                }

                if (odbc.InsertIntoTable is { Length: 0 })
                {
                    sink.Error(P("InsertIntoTable"), "must be a non-empty table name or null; found \"\".");
                }

                NonNegative(odbc.Timeout, P("Timeout"), Allowed.MillisecondsOrNull, sink);
                break;
            case HdfsTransportDescriptor hdfs:
                HostPort(hdfs.NameNode, P("NameNode"), "\"host[:port]\" (the port defaults to 9000)", requirePort: false, sink);
                if (string.IsNullOrEmpty(hdfs.Path) || !hdfs.Path.StartsWith('/'))
                {
                    sink.Error(P("Path"), $"must be an absolute HDFS path, e.g. \"/data/input.jsons\"; found {Node.Quote(hdfs.Path ?? string.Empty)}.");
                }

                if (hdfs.Authentication is { } auth)
                {
                    string a = P("Authentication");
                    NonEmpty(auth.Realm, DescriptorPath.Join(a, "Realm"), sink);
                    HostPort(auth.KdcHost, DescriptorPath.Join(a, "KDCHost"), "\"host[:port]\" (the port defaults to 88)", requirePort: false, sink);
                    NonEmpty(auth.Principal, DescriptorPath.Join(a, "Principal"), sink);
                    NonEmpty(auth.Password, DescriptorPath.Join(a, "Password"), sink);
                    NonNegative(auth.Timeout, DescriptorPath.Join(a, "Timeout"), Allowed.MillisecondsOrNull, sink);
                }

                break;
            case TcpTransportDescriptor tcp:
                NonEmpty(tcp.Host, P("Host"), sink);
                bool listening = tcp.Host is "0.0.0.0" or "::" or "[::]";
                if (tcp.Port < (listening ? 0 : 1) || tcp.Port > 65535)
                {
                    sink.Error(P("Port"), $"must be {(listening ? Allowed.ListenPort : Allowed.Port)}; found {tcp.Port.ToString(CultureInfo.InvariantCulture)}.");
                }

                break;
            case UdpTransportDescriptor udp:
                NonEmpty(udp.BindTo, P("BindTo"), sink);
                if (udp.Port is < 0 or > 65535)
                {
                    sink.Error(P("Port"), $"must be {Allowed.ListenPort}; found {udp.Port.ToString(CultureInfo.InvariantCulture)}.");
                }

                break;
            case ExecTransportDescriptor exec:
                NonEmpty(exec.Run, P("Run"), sink);
                for (int i = 0; i < exec.Args.Count; i++)
                {
                    if (exec.Args[i] is null)
                    {
                        sink.Error(DescriptorPath.Index(P("Args"), i), "must be a string; found null.");
                    }
                }

                break;
            default:
                ComponentCalls.Validate(transport, sink, path);
                break;
        }
    }

    private static void ValidateKafka(KafkaTransportDescriptor kafka, ErrorSink sink, Func<string, string> p)
    {
        if (kafka.BootstrapServers.Count == 0)
        {
            sink.Error(p("BootstrapServers"), "must list at least one \"host:port\" server, e.g. [\"kafka:9092\"]; found an empty list.");
        }

        for (int i = 0; i < kafka.BootstrapServers.Count; i++)
        {
            HostPort(kafka.BootstrapServers[i], DescriptorPath.Index(p("BootstrapServers"), i), "\"host:port\", e.g. \"kafka:9092\"", requirePort: true, sink);
        }

        if (!IsTopic(kafka.Topic))
        {
            sink.Error(p("Topic"), $"must be a Kafka topic name (1 to 249 characters: letters, digits, '.', '_', '-'); found {Node.Quote(kafka.Topic ?? string.Empty)}.");
        }

        if (kafka.Partition < 0)
        {
            sink.Error(p("Partition"), $"must be {Allowed.NonNegativeInt}; found {kafka.Partition.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (kafka.MaxWaitTime is < 0)
        {
            sink.Error(p("MaxWaitTime"), $"must be {Allowed.MillisecondsOrNull}; found {kafka.MaxWaitTime.Value.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (kafka.Group is { Length: 0 })
        {
            sink.Error(p("Group"), "must be a non-empty consumer group name or null; found \"\".");
        }

        if (string.IsNullOrEmpty(kafka.Principal) != string.IsNullOrEmpty(kafka.Keytab))
        {
            string missing = string.IsNullOrEmpty(kafka.Principal) ? "Principal" : "Keytab";
            string given = missing == "Principal" ? "Keytab" : "Principal";
            sink.Error(p(missing), $"Kerberos needs both Principal and Keytab; found {given} without {missing}.");
        }

        var named = new Dictionary<string, string>(StringComparer.Ordinal); // setting → the key that named it first
        foreach (string key in kafka.Config.Keys.Order(StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                sink.Error(p("Config"), "setting names must be non-empty; found \"\".");
            }
            else if (!named.TryAdd(KafkaConfigKeys.Canonical(key), key))
            {
                sink.Error(DescriptorPath.Key(p("Config"), key), $"{KafkaConfigKeys.WhySame(named[KafkaConfigKeys.Canonical(key)], key)}; give each librdkafka setting once.");
            }
        }
    }

    internal static bool IsHttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    private static bool IsTopic(string? topic)
    {
        if (string.IsNullOrEmpty(topic) || topic.Length > 249 || topic is "." or "..")
        {
            return false;
        }

        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static void HostPort(string? text, string path, string allowed, bool requirePort, ErrorSink sink)
    {
        bool ok = !string.IsNullOrWhiteSpace(text);
        if (ok)
        {
            int colon = text!.LastIndexOf(':');
            bool bracketed = text.StartsWith('[');
            if (colon > 0 && (!bracketed || text.IndexOf(']', StringComparison.Ordinal) < colon))
            {
                string host = text[..colon];
                ok = host.Length > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535;
            }
            else
            {
                ok = !requirePort && !text.Contains(' ', StringComparison.Ordinal);
            }
        }

        if (!ok)
        {
            sink.Error(path, $"must be {allowed}; found {Node.Quote(text ?? string.Empty)}.");
        }
    }

    private static void NonEmpty(string? value, string path, ErrorSink sink)
    {
        if (string.IsNullOrEmpty(value))
        {
            sink.Error(path, $"must be {Allowed.NonEmptyString}; found {(value is null ? "null" : "\"\"")}.");
        }
    }

    private static void NonNegative(int? value, string path, string allowed, ErrorSink sink)
    {
        if (value is < 0)
        {
            sink.Error(path, $"must be {allowed}; found {value.Value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }
}
