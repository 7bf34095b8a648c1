using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka;
using FastScore.Streams.Odbc;
using FastScore.Streams.S3;
using FastScore.Streams.Rest;
using static FastScore.Streams.Tests.Descriptors.DescriptorAssert;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>Every transport of §2: its fields and defaults, and at least one bad case each.</summary>
public sealed class TransportTests
{
    private static TransportDescriptor Transport(string transportJson, string extra = "") =>
        Packages.Parse($$"""{"Transport": {{transportJson}}{{extra}}}""").Transport;

    private static DescriptorError TransportFails(string transportJson, string path, params string[] fragments) =>
        Fails($$"""{"Transport": {{transportJson}}}""", path, fragments);

    // ------------------------------------------------------------------ type names and shortcuts

    [TestCase("\"REST\"")]
    [TestCase("\"rest\"")]
    [TestCase("\"Rest\"")]
    [TestCase("""{"Type": "REST"}""")]
    public void Rest_shortcuts_and_case_variants_mean_simple_rest(string transport) =>
        Assert.That(Transport(transport), Is.EqualTo(new RestTransportDescriptor { Mode = RestMode.Simple }));

    [TestCase("\"discard\"", typeof(DiscardTransportDescriptor))]
    [TestCase("\"Discard\"", typeof(DiscardTransportDescriptor))]
    [TestCase("\"console\"", typeof(ConsoleTransportDescriptor))]
    [TestCase("""{"Type": "CONSOLE"}""", typeof(ConsoleTransportDescriptor))]
    public void Field_less_transports_have_shortcuts(string transport, Type expected) =>
        Assert.That(Transport(transport), Is.TypeOf(expected));

    [Test]
    public void Unknown_transport_lists_the_known_ones_and_the_nearest()
    {
        DescriptorError error = TransportFails("""{"Type": "kafak"}""", "Transport.Type");
        Assert.That(error.Message, Is.EqualTo(
            "'kafak' is not a known transport; known: console, discard, exec, file, hdfs, http, inline, kafka, odbc, rest, s3, tcp, udp. Did you mean 'kafka'?"));
    }

    [Test]
    public void Unknown_transport_shortcut_is_reported_at_Transport() =>
        TransportFails("\"REST2\"", "Transport", "'REST2' is not a known transport", "Did you mean 'rest'?");

    [Test]
    public void Transport_object_without_Type_is_an_error() =>
        TransportFails("""{"Path": "/x"}""", "Transport.Type", "required field is missing", "known transports: console");

    [Test]
    public void Transport_Type_must_be_a_string() =>
        TransportFails("""{"Type": 3}""", "Transport.Type", "expected a transport type name", "found 3");

    [Test]
    public void Unknown_transport_field_suggests_the_nearest() =>
        TransportFails("""{"Type": "file", "Pth": "/x"}""", "Transport.Pth", "unknown field of a file transport", "Did you mean 'Path'?");

    // ------------------------------------------------------------------ HTTP

    [Test]
    public void Http_reads_url_and_chunked()
    {
        var http = (HttpTransportDescriptor)Transport("""{"Type": "HTTP", "Url": "https://h:1234/data.json", "Chunked": true}""");
        Assert.Multiple(() =>
        {
            Assert.That(http.Url, Is.EqualTo("https://h:1234/data.json"));
            Assert.That(http.Chunked, Is.True);
            Assert.That(http.PreservesRecordBoundaries, Is.True);
            Assert.That(http.CanWrite, Is.False);
        });
    }

    [Test]
    public void Http_chunked_defaults_to_false() =>
        Assert.That(((HttpTransportDescriptor)Transport("""{"Type": "http", "Url": "http://h/x"}""")).Chunked, Is.False);

    [Test]
    public void Http_url_is_required() =>
        TransportFails("""{"Type": "http"}""", "Transport.Url", "required field is missing");

    [TestCase("ftp://h/x")]
    [TestCase("/relative")]
    [TestCase("not a url")]
    public void Http_url_must_be_an_absolute_http_url(string url) =>
        TransportFails($$"""{"Type": "http", "Url": "{{url}}"}""", "Transport.Url", "absolute http or https URL", $"found \"{url}\"");

    [Test]
    public void Http_chunked_must_be_boolean() =>
        TransportFails("""{"Type": "http", "Url": "http://h/x", "Chunked": "yes"}""", "Transport.Chunked", "expected true or false");

    // ------------------------------------------------------------------ file

    [Test]
    public void File_reads_its_path()
    {
        var file = (FileTransportDescriptor)Transport("""{"Type": "file", "Path": "/data/in.jsons"}""");
        Assert.Multiple(() =>
        {
            Assert.That(file.Path, Is.EqualTo("/data/in.jsons"));
            Assert.That(file.IsSeekable, Is.True);
            Assert.That(file.PreservesRecordBoundaries, Is.False);
        });
    }

    [Test]
    public void File_path_must_be_absolute() =>
        TransportFails("""{"Type": "file", "Path": "data/in.jsons"}""", "Transport.Path", "must be an absolute path", "found \"data/in.jsons\"");

    [Test]
    public void File_path_is_required() =>
        TransportFails("""{"Type": "file"}""", "Transport.Path", "required field is missing");

    [Test]
    public void File_path_must_be_a_string() =>
        TransportFails("""{"Type": "file", "Path": ["/a"]}""", "Transport.Path", "expected a non-empty string", "found an array");

    // ------------------------------------------------------------------ HDFS

    [Test]
    public void Hdfs_is_a_declared_name_whose_fields_are_read_checked_and_kept()
    {
        var hdfs = (CustomTransportDescriptor)Transport("""
            {"Type": "HDFS", "NameNode": "nn:9000", "Path": "/data/in.jsons",
             "Authentication": {"Type": "Kerberos", "Realm": "EXAMPLE.COM", "KDCHost": "kdc", "Principal": "u", "Password": "p", "Timeout": null}}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(hdfs.Type, Is.EqualTo("hdfs"));
            Assert.That(hdfs.Fields.GetProperty("NameNode").GetString(), Is.EqualTo("nn:9000"));
            Assert.That(hdfs.Fields.GetProperty("Path").GetString(), Is.EqualTo("/data/in.jsons"));
            Assert.That(hdfs.Fields.GetProperty("Authentication").GetProperty("Realm").GetString(), Is.EqualTo("EXAMPLE.COM"));
            Assert.That(hdfs.IsSeekable, Is.True);
            Assert.That(hdfs.PreservesRecordBoundaries, Is.False);
            Assert.That(new StreamDescriptor { Transport = hdfs }.ToDisplayJson(indented: false), Does.Contain("\"Password\":\"*****\"").And.Not.Contain("\"p\""));
        });
    }

    [Test]
    public void Hdfs_kerberos_timeout_must_be_milliseconds() =>
        TransportFails("""{"Type": "hdfs", "NameNode": "nn", "Path": "/x", "Authentication": {"Type": "kerberos", "Realm": "R", "KDCHost": "kdc:88", "Principal": "u", "Password": "p", "Timeout": -1}}""",
            "Transport.Authentication.Timeout", "milliseconds");

    [Test]
    public void Hdfs_kerberos_fields_are_mandatory()
    {
        IReadOnlyList<DescriptorError> errors = Errors("""{"Transport": {"Type": "hdfs", "NameNode": "nn", "Path": "/x", "Authentication": {"Type": "Kerberos"}}}""");
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            "Transport.Authentication.Realm", "Transport.Authentication.KDCHost", "Transport.Authentication.Principal", "Transport.Authentication.Password",
        }));
    }

    [Test]
    public void Hdfs_authentication_type_must_be_kerberos() =>
        TransportFails("""{"Type": "hdfs", "NameNode": "nn", "Path": "/x", "Authentication": {"Type": "Basic", "Realm": "R", "KDCHost": "k", "Principal": "u", "Password": "p"}}""",
            "Transport.Authentication.Type", "\"Kerberos\"");

    [Test]
    public void Hdfs_path_must_be_absolute() =>
        TransportFails("""{"Type": "hdfs", "NameNode": "nn:9000", "Path": "x"}""", "Transport.Path", "absolute HDFS path");

    [Test]
    public void Hdfs_name_node_port_must_be_valid() =>
        TransportFails("""{"Type": "hdfs", "NameNode": "nn:port", "Path": "/x"}""", "Transport.NameNode", "\"host[:port]\"");

    // ------------------------------------------------------------------ TCP, UDP

    [Test]
    public void Tcp_reads_host_and_port() =>
        Assert.That(Transport("""{"Type": "TCP", "Host": "10.0.0.1", "Port": 5678}"""), Is.EqualTo(new TcpTransportDescriptor { Host = "10.0.0.1", Port = 5678 }));

    [TestCase(0)]
    [TestCase(65536)]
    public void Tcp_port_must_be_in_range_when_connecting(int port) =>
        TransportFails($$"""{"Type": "tcp", "Host": "h", "Port": {{port}}}""", "Transport.Port", "an integer from 1 to 65535", $"found {port}");

    [Test]
    public void Tcp_port_zero_is_allowed_when_listening() =>
        Assert.That(((TcpTransportDescriptor)Transport("""{"Type": "tcp", "Host": "0.0.0.0", "Port": 0}""")).Port, Is.Zero);

    [Test]
    public void Tcp_port_must_be_an_integer() =>
        TransportFails("""{"Type": "tcp", "Host": "h", "Port": "80"}""", "Transport.Port", "an integer from 1 to 65535", "found \"80\"");

    [Test]
    public void Tcp_host_must_not_be_empty() =>
        TransportFails("""{"Type": "tcp", "Host": "", "Port": 1}""", "Transport.Host", "non-empty string", "found \"\"");

    [Test]
    public void Tcp_needs_host_and_port()
    {
        IReadOnlyList<DescriptorError> errors = Errors("""{"Transport": {"Type": "tcp"}}""");
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Transport.Host", "Transport.Port" }));
    }

    [TestCase("BindTo")]
    [TestCase("Bind")]
    public void Udp_accepts_BindTo_and_Bind(string key) =>
        Assert.That(Transport($$"""{"Type": "UDP", "{{key}}": "10.0.0.1", "Port": 9099}"""), Is.EqualTo(new UdpTransportDescriptor { BindTo = "10.0.0.1", Port = 9099 }));

    [Test]
    public void Udp_Host_is_where_an_output_sends_and_an_input_given_only_Host_binds_to_it() =>
        Assert.That(Transport("""{"Type": "UDP", "Host": "10.0.0.1", "Port": 9099}"""), Is.EqualTo(new UdpTransportDescriptor { BindTo = "10.0.0.1", Host = "10.0.0.1", Port = 9099 }));

    [Test]
    public void Udp_binds_to_every_address_by_default() =>
        Assert.That(((UdpTransportDescriptor)Transport("""{"Type": "udp", "Port": 9099}""")).BindTo, Is.EqualTo("0.0.0.0"));

    [Test]
    public void Udp_rejects_both_Bind_and_BindTo() =>
        TransportFails("""{"Type": "udp", "Bind": "a", "BindTo": "b", "Port": 1}""", "Transport.BindTo", "given twice");

    [Test]
    public void Udp_bind_address_must_not_be_empty() =>
        TransportFails("""{"Type": "udp", "BindTo": "", "Port": 1}""", "Transport.BindTo", "non-empty string");

    [Test]
    public void Udp_port_is_required() =>
        TransportFails("""{"Type": "udp"}""", "Transport.Port", "required field is missing");

    [Test]
    public void Udp_port_must_be_in_range() =>
        TransportFails("""{"Type": "udp", "Port": 70000}""", "Transport.Port", "from 0 to 65535", "found 70000");

    // ------------------------------------------------------------------ exec

    [Test]
    public void Exec_reads_run_and_args() =>
        Assert.That(Transport("""{"Type": "Exec", "Run": "/bin/produce", "Args": ["-n", "3"]}"""), Is.EqualTo(new ExecTransportDescriptor { Run = "/bin/produce", Args = ["-n", "3"] }));

    [Test]
    public void Exec_args_default_to_empty() =>
        Assert.That(((ExecTransportDescriptor)Transport("""{"Type": "exec", "Run": "/bin/x"}""")).Args, Is.Empty);

    [Test]
    public void Exec_run_is_required() =>
        TransportFails("""{"Type": "exec", "Args": []}""", "Transport.Run", "required field is missing");

    [Test]
    public void Exec_args_must_be_strings() =>
        TransportFails("""{"Type": "exec", "Run": "/bin/x", "Args": ["a", 1]}""", "Transport.Args[1]", "expected a string", "found 1");

    // ------------------------------------------------------------------ inline

    [Test]
    public void Inline_data_array_is_one_record_per_item()
    {
        var inline = (InlineTransportDescriptor)Transport("""{"Type": "inline", "Data": ["1", "2", "3"]}""");
        Assert.Multiple(() =>
        {
            Assert.That(inline.Items.Select(i => Encoding.UTF8.GetString(i.Span)), Is.EqualTo(new[] { "1", "2", "3" }));
            Assert.That(inline.IsChunk, Is.False);
            Assert.That(inline.IsBinary, Is.False);
            Assert.That(inline.PreservesRecordBoundaries, Is.True);
        });
    }

    [Test]
    public void Inline_data_string_is_one_chunk_framed_by_the_envelope()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "inline", "Data": "aaa\nbbb\nccc"}, "Encoding": "utf-8"}""");
        var inline = (InlineTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(inline.IsChunk, Is.True);
            Assert.That(Encoding.UTF8.GetString(inline.Items.Single().Span), Is.EqualTo("aaa\nbbb\nccc"));
            Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
        });
    }

    [Test]
    public void Inline_data_binary_is_decoded_from_base64()
    {
        var inline = (InlineTransportDescriptor)Transport("""{"Type": "inline", "DataBinary": ["AQI=", "Aw=="]}""");
        Assert.Multiple(() =>
        {
            Assert.That(inline.IsBinary, Is.True);
            Assert.That(inline.Items.Select(i => i.ToArray()), Is.EqualTo(new[] { new byte[] { 1, 2 }, new byte[] { 3 } }));
        });
    }

    [Test]
    public void Inline_data_binary_must_be_base64() =>
        TransportFails("""{"Type": "inline", "DataBinary": ["AQI=", "not base64!"]}""", "Transport.DataBinary[1]", "expected base64 text");

    [Test]
    public void Inline_takes_data_or_data_binary_not_both() =>
        TransportFails("""{"Type": "inline", "Data": ["a"], "DataBinary": ["AQ=="]}""", "Transport", "either Data or DataBinary, not both");

    [Test]
    public void Inline_needs_data() =>
        TransportFails("""{"Type": "inline"}""", "Transport.Data", "required field is missing", "DataBinary");

    [Test]
    public void Inline_data_items_must_be_strings() =>
        TransportFails("""{"Type": "inline", "Data": [1, 2]}""", "Transport.Data[0]", "expected a string", "found 1");

    [Test]
    public void Inline_data_must_be_a_string_or_an_array() =>
        TransportFails("""{"Type": "inline", "Data": 5}""", "Transport.Data", "a string (one chunk) or an array of strings");

    [Test]
    public void Discard_takes_no_fields() =>
        TransportFails("""{"Type": "discard", "Path": "/x"}""", "Transport.Path", "unknown field of a discard transport");
}
