using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.S3;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>Canonical JSON (lossless round trip), display JSON (secrets masked) and FastScore's internal form.</summary>
public sealed class JsonWriterTests
{
    public static IEnumerable<string> RoundTripCases() =>
    [
        """{"Transport": "REST"}""",
        """{"Transport": {"Type": "REST", "Mode": "chunked"}, "Encoding": "json", "Batching": "explicit", "LingerTime": null}""",
        """{"Transport": {"Type": "http", "Url": "https://u:p@h/x.jsons", "Chunked": true}, "Encoding": "json", "Loop": false}""",
        """{"Transport": {"Type": "kafka", "BootstrapServers": ["a:1", "b:2"], "Topic": "t", "Partition": 3, "MaxWaitTime": null, "Group": "g", "CommitOffset": false, "Principal": "p", "Keytab": "/k", "Config": {"b": "2", "a": "1"}}, "SkipToRecord": 7, "Encoding": "avro-binary", "Schema": {"type":"array","items":"long"}}""",
        """{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "secret://id", "SecretAccessKey": "secret://key", "Endpoint": "http://localhost:4568", "AssumeRoleWithSAML": {"RoleArn": "r", "SAMLAssertion": "s"}}, "Encoding": "json"}""",
        """{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AssumeRoleWithSAML": "role"}, "Encoding": "json", "SkipTo": 12}""",
        """{"Transport": {"Type": "file", "Path": "/d/x.csv"}, "Encoding": {"Type": "csv", "Delimiter": ";", "QuoteCharacter": "'"}, "Envelope": {"Type": "delimited-csv", "Separator": "\n", "SkipHeader": false}, "Schema": null, "Loop": true}""",
        """{"Transport": {"Type": "odbc", "ConnectionString": "DSN=x;PWD=p", "InsertIntoTable": "t", "OutputFields": ["a"], "Timeout": 10}}""",
        """{"Transport": {"Type": "hdfs", "NameNode": "nn:9000", "Path": "/x", "Authentication": {"Type": "Kerberos", "Realm": "R", "KDCHost": "kdc", "Principal": "u", "Password": "p"}}, "Encoding": "json"}""",
        """{"Transport": {"Type": "tcp", "Host": "0.0.0.0", "Port": 0}, "Envelope": {"Type": "fixed", "Size": 4, "MaxRecordSize": 64, "OnOversize": "truncate"}}""",
        """{"Transport": {"Type": "udp", "Bind": "1.2.3.4", "Port": 9}, "Encoding": "utf8", "Schema": "string"}""",
        """{"Transport": {"Type": "exec", "Run": "/bin/x", "Args": ["-v"]}, "Encoding": "msgpack"}""",
        """{"Transport": {"Type": "inline", "Data": ["1", "é", "\"q\""]}, "Encoding": "json", "SkipToRecord": "earliest"}""",
        """{"Transport": {"Type": "inline", "DataBinary": "AAEC"}, "Envelope": {"Type": "ocf-block", "SyncMarker": "AAECAwQFBgcICQoLDA0ODw==", "Compress": "deflate", "SkipHeader": false}, "Encoding": "avro-binary", "Schema": "int"}""",
        """{"Transport": "discard", "Description": "sink \u2713", "Encoding": "soap-rpc", "Batching": null}""",
        """{"Transport": "console", "Schema": {"$ref": "iris"}, "Encoding": "json", "Batching": {"Watermark": 5, "NagleTime": null}}""",
        """{"Version": "1.3", "Transport": {"Type": "REST", "Mode": "chunked"}, "Envelope": "deliminated"}""",
    ];

    [TestCaseSource(nameof(RoundTripCases))]
    public void Parse_write_parse_is_lossless(string json)
    {
        StreamDescriptor first = Packages.Parse(json);
        string written = first.ToJson();
        StreamDescriptor second = Packages.Parse(written);
        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(second.ToJson(), Is.EqualTo(written), "the canonical form is a fixed point");
            Assert.That(Packages.Parse(first.ToJson(indented: false)), Is.EqualTo(first));
        });
    }

    [Test]
    public void Canonical_json_fills_in_every_default_with_pascal_case_names()
    {
        string json = Packages.Parse("""{"Transport": "rest", "Encoding": "JSON"}""").ToJson(indented: false);
        Assert.That(json, Is.EqualTo(
            """{"Version":"1.2","Transport":{"Type":"rest","Mode":"simple"},"Loop":false,"SkipTo":null,"SkipToRecord":null,"Envelope":null,"Encoding":"json","Schema":"$inherit","Batching":{"Watermark":1000,"NagleTime":500},"LingerTime":3000}"""));
    }

    [Test]
    public void Canonical_json_writes_envelope_objects_in_full()
    {
        string json = Packages.Parse("""{"Transport": {"Type": "file", "Path": "/x"}, "Encoding": "json"}""").ToJson(indented: false);
        Assert.That(json, Does.Contain("""
            "Envelope":{"Type":"delimited","Separator":"\n","MaxRecordSize":8388608,"OnOversize":"reject"}
            """));
    }

    [Test]
    public void Canonical_json_keeps_secrets()
    {
        string json = Packages.Parse("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "AKIA", "SecretAccessKey": "sk"}}""").ToJson();
        Assert.That(json, Does.Contain("\"SecretAccessKey\": \"sk\""));
    }

    [Test]
    public void Indented_json_is_indented() =>
        Assert.That(Packages.Parse("""{"Transport": "REST"}""").ToJson(), Does.Contain("\n  \"Transport\": {"));

    // ------------------------------------------------------------------ display (masked)

    private static JsonElement Display(string json) => JsonDocument.Parse(Packages.Parse(json).ToDisplayJson()).RootElement;

    [Test]
    public void Display_masks_the_s3_secret_key_always_and_the_access_key_unless_it_is_a_reference()
    {
        JsonElement plain = Display("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "AKIA", "SecretAccessKey": "sk"}}""").GetProperty("Transport");
        JsonElement refs = Display("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "secret://id", "SecretAccessKey": "secret://key"}}""").GetProperty("Transport");
        Assert.Multiple(() =>
        {
            Assert.That(plain.GetProperty("AccessKeyID").GetString(), Is.EqualTo("*****"));
            Assert.That(plain.GetProperty("SecretAccessKey").GetString(), Is.EqualTo("*****"));
            Assert.That(refs.GetProperty("AccessKeyID").GetString(), Is.EqualTo("secret://id"));
            Assert.That(refs.GetProperty("SecretAccessKey").GetString(), Is.EqualTo("*****"));
        });
    }

    [Test]
    public void Display_leaves_absent_s3_keys_null()
    {
        JsonElement t = Display("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k"}}""").GetProperty("Transport");
        Assert.That(t.GetProperty("SecretAccessKey").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void Display_masks_the_saml_assertion()
    {
        JsonElement role = Display("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AssumeRoleWithSAML": {"RoleArn": "arn:r", "SAMLAssertion": "PHNhbWw+"}}}""")
            .GetProperty("Transport").GetProperty("AssumeRoleWithSAML");
        Assert.Multiple(() =>
        {
            Assert.That(role.GetProperty("RoleArn").GetString(), Is.EqualTo("arn:r"));
            Assert.That(role.GetProperty("SAMLAssertion").GetString(), Is.EqualTo("*****"));
        });
    }

    [TestCase("DSN=db;UID=u;PWD=hunter2;", "DSN=db;UID=u;PWD=*****;")]
    [TestCase("Driver={PostgreSQL};Server=h;Password=hunter2", "Driver={PostgreSQL};Server=h;Password=*****")]
    [TestCase("Server=h;pwd={a;b}", "Server=h;pwd=*****")]
    [TestCase("DSN=db", "DSN=db")]
    public void Display_masks_odbc_passwords(string connectionString, string expected)
    {
        JsonElement t = Display($$$"""{"Transport": {"Type": "odbc", "ConnectionString": "{{{connectionString}}}", "SelectQuery": "SELECT 1"}}""").GetProperty("Transport");
        Assert.That(t.GetProperty("ConnectionString").GetString(), Is.EqualTo(expected));
    }

    [Test]
    public void Display_masks_secret_kafka_settings()
    {
        JsonElement config = Display("""
            {"Transport": {"Type": "kafka", "BootstrapServers": ["k:1"], "Topic": "t", "Config": {
              "sasl.password": "p", "ssl.key.password": "p", "sasl.jaas.config": "j", "ssl.key.pem": "k", "client.secret": "s", "security.protocol": "SASL_SSL"}}}
            """).GetProperty("Transport").GetProperty("Config");
        Assert.Multiple(() =>
        {
            foreach (string key in new[] { "sasl.password", "ssl.key.password", "sasl.jaas.config", "ssl.key.pem", "client.secret" })
            {
                Assert.That(config.GetProperty(key).GetString(), Is.EqualTo("*****"), key);
            }

            Assert.That(config.GetProperty("security.protocol").GetString(), Is.EqualTo("SASL_SSL"));
        });
    }

    [Test]
    public void Display_masks_the_hdfs_kerberos_password() =>
        Assert.That(Display("""{"Transport": {"Type": "hdfs", "NameNode": "nn", "Path": "/x", "Authentication": {"Type": "Kerberos", "Realm": "R", "KDCHost": "k", "Principal": "u", "Password": "pw"}}}""")
            .GetProperty("Transport").GetProperty("Authentication").GetProperty("Password").GetString(), Is.EqualTo("*****"));

    [Test]
    public void Display_masks_a_password_in_a_url() =>
        Assert.That(Display("""{"Transport": {"Type": "http", "Url": "https://user:pw@host/data.jsons"}}""").GetProperty("Transport").GetProperty("Url").GetString(),
            Is.EqualTo("https://user:*****@host/data.jsons"));

    [Test]
    public void Display_does_not_change_the_descriptor()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "AKIA", "SecretAccessKey": "sk"}}""");
        _ = d.ToDisplayJson();
        Assert.That(((S3TransportDescriptor)d.Transport).SecretAccessKey, Is.EqualTo("sk"));
    }

    // ------------------------------------------------------------------ internal form

    [Test]
    public void Internal_form_matches_fastscore_for_rest_without_schema()
    {
        string json = Packages.Parse("""{"Transport": "REST", "Schema": null}""").ToInternalJson(indented: false);
        Assert.That(json, Is.EqualTo(
            """{"transport":{"type":"rest","mode":"simple"},"loop":false,"skip_to":null,"skip_to_record":null,"envelope":null,"encoding":null,"schema":null,"batching":{"watermark":1000,"nagle_time":500},"linger_time":3000}"""));
    }

    [Test]
    public void Internal_form_uses_snake_case_for_transport_fields_and_masks_secrets()
    {
        JsonElement t = JsonDocument.Parse(Packages.Parse("""{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "AccessKeyID": "a", "SecretAccessKey": "b"}}""").ToInternalJson())
            .RootElement.GetProperty("transport");
        Assert.Multiple(() =>
        {
            Assert.That(t.GetProperty("object_key").GetString(), Is.EqualTo("k"));
            Assert.That(t.GetProperty("access_key_id").GetString(), Is.EqualTo("*****"));
            Assert.That(t.GetProperty("secret_access_key").GetString(), Is.EqualTo("*****"));
            Assert.That(t.TryGetProperty("assume_role_with_saml", out _), Is.True);
        });
    }
}
