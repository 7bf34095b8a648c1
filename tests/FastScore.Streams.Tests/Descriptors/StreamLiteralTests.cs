using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka;
using FastScore.Streams.Rest;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>The literal table of §5, plus s3:// and console:.</summary>
public sealed class StreamLiteralTests
{
    // literal → FastScore's own {"Transport": ..., "Encoding": ...}
    [TestCase("https://host:1234/data1.json", """{"Transport":{"Type":"HTTP","Url":"https://host:1234/data1.json"},"Encoding":"json"}""")]
    [TestCase("http://host/data.avro", """{"Transport":{"Type":"HTTP","Url":"http://host/data.avro"},"Encoding":"avro-binary"}""")]
    [TestCase("http://host/data.bin?x=1", """{"Transport":{"Type":"HTTP","Url":"http://host/data.bin?x=1"},"Encoding":null}""")]
    [TestCase("kafka:broker:9093/topic.json", """{"Transport":{"Type":"Kafka","BootstrapServers":["broker:9093"],"Topic":"topic"},"Encoding":"json"}""")]
    [TestCase("kafka:broker/topic.json", """{"Transport":{"Type":"Kafka","BootstrapServers":["broker:9092"],"Topic":"topic"},"Encoding":"json"}""")]
    [TestCase("kafka:broker/my.topic.avro", """{"Transport":{"Type":"Kafka","BootstrapServers":["broker:9092"],"Topic":"my.topic"},"Encoding":"avro-binary"}""")]
    [TestCase("kafka:broker/plain", """{"Transport":{"Type":"Kafka","BootstrapServers":["broker:9092"],"Topic":"plain"},"Encoding":"json"}""")]
    [TestCase("rest:", """{"Transport":"REST","Encoding":"json"}""")]
    [TestCase("rest-chunked:", """{"Transport":{"Type":"REST","Mode":"chunked"},"Encoding":"json"}""")]
    [TestCase("file:/abs/path.dat", """{"Transport":{"Type":"file","Path":"/abs/path.dat"},"Encoding":"json"}""")]
    [TestCase("file:/abs/path.jsons", """{"Transport":{"Type":"file","Path":"/abs/path.jsons"},"Encoding":"json"}""")]
    [TestCase("file:/abs/path.utf8", """{"Transport":{"Type":"file","Path":"/abs/path.utf8"},"Encoding":"utf-8"}""")]
    [TestCase("file:/abs/path.bin", """{"Transport":{"Type":"file","Path":"/abs/path.bin"},"Encoding":null}""")]
    [TestCase("file:/abs/path.avro", """{"Transport":{"Type":"file","Path":"/abs/path.avro"},"Encoding":"avro-binary"}""")]
    [TestCase("file:///abs/path.json", """{"Transport":{"Type":"file","Path":"/abs/path.json"},"Encoding":"json"}""")]
    [TestCase("tcp:1.2.3.4:5678", """{"Transport":{"Type":"TCP","Host":"1.2.3.4","Port":5678},"Encoding":"json"}""")]
    [TestCase("tcp::5678", """{"Transport":{"Type":"TCP","Host":"0.0.0.0","Port":5678},"Encoding":"json"}""")]
    [TestCase("udp::9099", """{"Transport":{"Type":"UDP","Port":9099},"Encoding":"json"}""")]
    [TestCase("udp:10.0.0.1:124", """{"Transport":{"Type":"UDP","Host":"10.0.0.1","Port":124},"Encoding":"json"}""")]
    [TestCase("exec:/root/myscript.sh", """{"Transport":{"Type":"exec","Run":"/root/myscript.sh"},"Encoding":"json"}""")]
    [TestCase("inline:1,2,3", """{"Transport":{"Type":"inline","Data":["1","2","3"]},"Encoding":"json"}""")]
    [TestCase("inline:%01%02,%03", """{"Transport":{"Type":"inline","DataBinary":["AQI=","Aw=="]},"Encoding":"json"}""")]
    [TestCase("inline-chunked:1\n2", """{"Transport":{"Type":"inline","Data":"1\n2"},"Encoding":"json"}""")]
    [TestCase("inline-chunked:%06%02%04%06", """{"Transport":{"Type":"inline","DataBinary":"BgIEBg=="},"Encoding":"json"}""")]
    [TestCase("discard:", """{"Transport":"discard","Encoding":"json"}""")]
    [TestCase("console:", """{"Transport":"console","Encoding":"json"}""")]
    [TestCase("s3://bucket/path/data.jsons", """{"Transport":{"Type":"S3","Bucket":"bucket","ObjectKey":"path/data.jsons"},"Encoding":"json"}""")]
    [TestCase("s3://bucket/data.avro", """{"Transport":{"Type":"S3","Bucket":"bucket","ObjectKey":"data.avro"},"Encoding":"avro-binary"}""")]
    [TestCase("KAFKA:b/t", """{"Transport":{"Type":"Kafka","BootstrapServers":["b:9092"],"Topic":"t"},"Encoding":"json"}""")]
    [TestCase("kafka:b:9093/t.json?group=scorers&start=earliest", """{"Transport":{"Type":"Kafka","BootstrapServers":["b:9093"],"Topic":"t","Group":"scorers"},"Encoding":"json","SkipToRecord":"earliest"}""")]
    [TestCase("kafka:b/t.avro?start=1207&partition=3", """{"Transport":{"Type":"Kafka","BootstrapServers":["b:9092"],"Topic":"t","Partition":3},"Encoding":"avro-binary","SkipToRecord":1207}""")]
    [TestCase("kafka://b1:9092,b2/t.utf8?START=Latest&maxwait=none", """{"Transport":{"Type":"Kafka","BootstrapServers":["b1:9092","b2:9092"],"Topic":"t","MaxWaitTime":null},"Encoding":"utf-8","SkipToRecord":"latest"}""")]
    [TestCase("kafka:b/t.json?maxwait=2000&group=a%26b+c", """{"Transport":{"Type":"Kafka","BootstrapServers":["b:9092"],"Topic":"t","Group":"a&b+c","MaxWaitTime":2000},"Encoding":"json"}""")]
    public void Literal_expands_to_the_fastscore_json(string literal, string json) =>
        Assert.That(Packages.ExpandToJson(literal), Is.EqualTo(json));

    [Test]
    public void Rest_literal_expands_to_a_full_descriptor()
    {
        StreamDescriptor d = Packages.Expand("rest:");
        Assert.That(d, Is.EqualTo(Packages.Parse("""{"Transport": "REST", "Encoding": "json"}""")));
    }

    [Test]
    public void Kafka_literal_expands_with_kafka_defaults()
    {
        StreamDescriptor d = Packages.Expand("kafka:broker:9092/scores.json");
        var kafka = (KafkaTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(kafka.BootstrapServers, Is.EqualTo(new[] { "broker:9092" }));
            Assert.That(kafka.Topic, Is.EqualTo("scores"));
            Assert.That(d.Encoding, Is.EqualTo(EncodingDescriptor.Json));
            Assert.That(d.Envelope, Is.Null);
            Assert.That(d.SkipToRecord, Is.EqualTo(RecordPosition.Latest));
        });
    }

    [Test]
    public void File_literal_gets_a_delimited_envelope()
    {
        StreamDescriptor d = Packages.Expand("file:/data/in.jsons");
        Assert.Multiple(() =>
        {
            Assert.That(d.Transport, Is.EqualTo(new FileTransportDescriptor { Path = "/data/in.jsons" }));
            Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
        });
    }

    [Test]
    public void Udp_literal_host_becomes_bind_to() =>
        Assert.That(Packages.Expand("udp:10.0.0.1:124").Transport, Is.EqualTo(new UdpTransportDescriptor { BindTo = "10.0.0.1", Host = "10.0.0.1", Port = 124 }));

    [Test]
    public void Inline_literal_with_percent_escapes_gives_binary_records()
    {
        var inline = (InlineTransportDescriptor)Packages.Expand("inline:%FF%00,a%2Cb").Transport;
        Assert.Multiple(() =>
        {
            Assert.That(inline.IsBinary, Is.True);
            Assert.That(inline.Items.Select(i => i.ToArray()), Is.EqualTo(new[] { new byte[] { 0xFF, 0x00 }, "a,b"u8.ToArray() }));
        });
    }

    [Test]
    public void Inline_chunked_literal_is_one_chunk()
    {
        StreamDescriptor d = Packages.Expand("inline-chunked:%06%02%04%06");
        var inline = (InlineTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(inline.IsChunk, Is.True);
            Assert.That(inline.Items.Single().ToArray(), Is.EqualTo(new byte[] { 6, 2, 4, 6 }));
            Assert.That(d.Envelope, Is.EqualTo(new DelimitedEnvelopeDescriptor()));
        });
    }

    [Test]
    public void Kafka_literal_with_a_group_and_a_start_offset_expands_to_a_consumer_group_input()
    {
        StreamDescriptor d = Packages.Expand("kafka:broker:9092/scores.json?group=scorers&start=42&maxwait=5000");
        var kafka = (KafkaTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(kafka.Group, Is.EqualTo("scorers"));
            Assert.That(kafka.Topic, Is.EqualTo("scores"));
            Assert.That(kafka.MaxWaitTime, Is.EqualTo(5000));
            Assert.That(kafka.CommitOffset, Is.True);
            Assert.That(d.SkipToRecord, Is.EqualTo(RecordPosition.At(42)));
            Assert.That(d.Encoding, Is.EqualTo(EncodingDescriptor.Json));
        });
    }

    [Test]
    public void Inline_literal_keeps_plus_signs() =>
        Assert.That(Encoding.UTF8.GetString(((InlineTransportDescriptor)Packages.Expand("inline:a+b%20c").Transport).Items[0].Span), Is.EqualTo("a+b c"));

    [TestCase("kafak:b/t", "'kafak' in 'kafak:b/t' is not a known stream literal tag", "Did you mean 'kafka'?", "Example: kafka:broker:9092/topic.json")]
    [TestCase("ftp://host/x", "'ftp' in 'ftp://host/x' is not a known stream literal tag", "known: console, discard, exec")]
    [TestCase("rest:extra", "'rest:extra' takes nothing after the colon", "valid syntax: rest:")]
    [TestCase("file:relative/path", "needs an absolute path", "valid syntax: file:/data/input.jsons")]
    [TestCase("kafka:broker", "needs a broker and a topic", "valid syntax: kafka:broker:9092/topic.json")]
    [TestCase("kafka:broker:/t", "has an empty port")]
    [TestCase("kafka:b/t.json?grup=g", "has an unknown parameter 'grup' (known: group, start, partition, maxwait)", "valid syntax: kafka:broker:9092/topic.json?group=scorers&start=earliest")]
    [TestCase("kafka:b/t.json?group=a&group=b", "gives 'group' twice")]
    [TestCase("kafka:b/t.json?group=", "gives no value for 'group'")]
    [TestCase("kafka:b/t.json?start=soon", "start is earliest, latest or an offset")]
    [TestCase("kafka:b/t.json?partition=-1", "partition is a whole number, 0 or more")]
    [TestCase("kafka:b/t.json?maxwait=1s", "maxwait is milliseconds (a whole number) or none")]
    [TestCase("kafka:b1,,b2/t.json", "has an empty broker in its list")]
    [TestCase("tcp:host", "needs host:port or :port", "tcp::5678")]
    [TestCase("udp:host:port", "needs host:port or :port")]
    [TestCase("exec:", "needs the program to run")]
    [TestCase("inline:", "needs data", "inline:1,2,3")]
    [TestCase("inline:%G1", "bad %-escape at '%G1'")]
    [TestCase("inline-chunked:%0", "bad %-escape")]
    [TestCase("s3://bucket", "needs a bucket and an object key")]
    [TestCase("no-colon", "is not a stream literal: expected tag:details")]
    public void Bad_literals_explain_the_valid_syntax(string literal, params string[] fragments)
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Expand(literal));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Errors, Has.Count.EqualTo(1));
            Assert.That(ex.Errors[0].Path, Is.Empty);
            Assert.That(ex.Origin, Is.EqualTo($"literal '{literal}'"));
            foreach (string fragment in fragments)
            {
                Assert.That(ex.Errors[0].Message, Does.Contain(fragment));
            }
        });
    }

    [Test]
    public void A_literal_with_a_bad_value_reports_the_field_path()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Expand("tcp:host:70000"));
        Assert.That(ex!.Errors.Single().Path, Is.EqualTo("Transport.Port"));
    }

    [Test]
    public void TryExpand_returns_true_for_a_good_literal()
    {
        Assert.That(Packages.TryExpand("discard:", out StreamDescriptor? d), Is.True);
        Assert.That(d!.Transport, Is.TypeOf<DiscardTransportDescriptor>());
    }

    [Test]
    public void TryExpand_returns_false_and_the_errors_for_a_bad_literal()
    {
        Assert.That(Packages.TryExpand("nope:x", null, out StreamDescriptor? d, out IReadOnlyList<DescriptorError> errors), Is.False);
        Assert.Multiple(() =>
        {
            Assert.That(d, Is.Null);
            Assert.That(errors, Has.Count.EqualTo(1));
        });
    }

    [TestCase("x.json", "json")]
    [TestCase("x.jsons", "json")]
    [TestCase("x.JSON", "json")]
    [TestCase("x.avro", "avro-binary")]
    [TestCase("x.utf8", "utf-8")]
    [TestCase("x.bin", null)]
    [TestCase("x.csv", "json")]
    [TestCase(null, "json")]
    public void Encoding_is_guessed_from_the_ending(string? source, string? expected) =>
        Assert.That(StreamLiteral.GuessEncoding(source), Is.EqualTo(expected));
}

/// <summary>StreamDescriptor.FromArgument: a file, else a literal, else an error.</summary>
public sealed class FromArgumentTests
{
    [Test]
    public void An_existing_file_is_parsed()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fs-arg-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"Transport": "discard"}""");
        try
        {
            Assert.That(Packages.FromArgument(path).Transport, Is.TypeOf<DiscardTransportDescriptor>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Text_with_a_colon_is_a_literal() =>
        Assert.That(Packages.FromArgument("kafka:b:9092/t.json").Transport, Is.TypeOf<KafkaTransportDescriptor>());

    [Test]
    public void Text_starting_with_a_brace_is_descriptor_json() =>
        Assert.That(Packages.FromArgument("""{"Transport": "REST", "Encoding": "json"}""").Transport, Is.TypeOf<RestTransportDescriptor>());

    [Test]
    public void Bad_descriptor_json_argument_reports_its_errors()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.FromArgument("""{"Transport": "REST", "Loop": 2}"""));
        Assert.That(ex!.Errors.Single().Path, Is.EqualTo("Loop"));
    }

    [Test]
    public void Other_text_is_an_error()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.FromArgument("missing.json"));
        Assert.That(ex!.Errors[0].Message, Does.Contain("'missing.json' is neither an existing descriptor file nor a stream literal"));
    }

    [Test]
    public void FromLiteral_is_the_public_way_to_expand_a_literal()
    {
        StreamDescriptor descriptor = StreamDescriptor.FromLiteral("inline:1,2,3");
        Assert.Multiple(() =>
        {
            Assert.That(descriptor.Transport.Type, Is.EqualTo("inline"));
            Assert.That(descriptor.Encoding?.Type, Is.EqualTo("json"));
            Assert.That(descriptor.ToJson(indented: false), Is.EqualTo(StreamLiteral.Expand("inline:1,2,3").ToJson(indented: false)));
        });
        var ex = Assert.Throws<DescriptorException>(() => StreamDescriptor.FromLiteral("kafak:b/t"));
        Assert.That(ex!.Errors[0].Message, Does.Contain("not a known stream literal tag"));
    }

    [Test]
    public void A_literal_picks_the_encoding_that_declares_its_file_ending()
    {
        StreamDescriptor csv = StreamDescriptor.FromLiteral("file:/data/iris.csv");
        Assert.Multiple(() =>
        {
            Assert.That(csv.Encoding?.Type, Is.EqualTo("csv"));
            Assert.That(csv.Envelope?.Type, Is.EqualTo("delimited-csv"));
            Assert.That(StreamDescriptor.FromLiteral("file:/data/x.jsonl").Encoding?.Type, Is.EqualTo("json"));
            Assert.That(StreamDescriptor.FromLiteral("file:/data/x.avro").Encoding?.Type, Is.EqualTo("avro-binary"));
            Assert.That(StreamDescriptor.FromLiteral("file:/data/x.bin").Encoding, Is.Null);
        });
    }
}
