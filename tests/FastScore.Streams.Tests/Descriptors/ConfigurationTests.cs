using System.Text;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Kafka;
using Microsoft.Extensions.Configuration;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>StreamDescriptor.FromConfiguration reads an appsettings.json section into the same descriptor as the JSON.</summary>
public sealed class ConfigurationTests
{
    private static IConfigurationSection Section(string appsettingsJson, string path = "Streams:in")
    {
        IConfigurationRoot root = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(appsettingsJson)))
            .Build();
        return root.GetSection(path);
    }

    private static IConfigurationSection Memory(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("S");

    public static IEnumerable<string> Descriptors() =>
    [
        """{"Transport": {"Type": "kafka", "BootstrapServers": ["a:9092", "b:9092"], "Topic": "in", "Partition": 1, "CommitOffset": false, "MaxWaitTime": null, "Config": {"fetch.min.bytes": 10}}, "Encoding": "json", "SkipToRecord": 5}""",
        """{"Transport": {"Type": "file", "Path": "/d/x.csv"}, "Encoding": {"Type": "csv", "Delimiter": ";"}, "Loop": true, "SkipTo": 100, "Schema": null, "LingerTime": null}""",
        """{"Transport": "REST", "Encoding": "json", "Batching": {"NagleTime": 0, "Watermark": null}}""",
        """{"Transport": {"Type": "inline", "Data": ["1", "2"]}, "Encoding": "json", "Batching": "explicit"}""",
        """{"Transport": {"Type": "tcp", "Host": "h", "Port": 5678}, "Envelope": {"Type": "fixed", "Size": 8, "OnOversize": "skip"}, "Encoding": "avro-binary", "Schema": "long"}""",
        """{"Transport": {"Type": "s3", "Bucket": "bkt", "ObjectKey": "k", "IntegrityChecks": true, "AssumeRoleWithSAML": "role"}, "Encoding": "json", "Description": "from s3"}""",
        """{"Transport": "discard", "Envelope": null, "Encoding": null, "Schema": {"$ref": "bytes-schema"}}""",
    ];

    [TestCaseSource(nameof(Descriptors))]
    public void A_section_reads_like_the_same_json(string descriptorJson)
    {
        StreamDescriptor fromJson = Packages.Parse(descriptorJson);
        StreamDescriptor fromConfig = Packages.FromConfiguration(Section($$$"""{"Streams": {"in": {{{descriptorJson}}}}}"""));
        Assert.That(fromConfig, Is.EqualTo(fromJson));
    }

    [Test]
    public void String_values_are_coerced_where_the_field_wants_bool_int_or_null()
    {
        StreamDescriptor d = Packages.FromConfiguration(Memory(new()
        {
            ["S:Transport:Type"] = "file",
            ["S:Transport:Path"] = "/d/x",
            ["S:Loop"] = "True",
            ["S:SkipTo"] = "42",
            ["S:LingerTime"] = "null",
            ["S:Encoding"] = "json",
            ["S:Batching:Watermark"] = "10",
            ["S:Batching:NagleTime"] = "",
        }));
        Assert.Multiple(() =>
        {
            Assert.That(d.Loop, Is.True);
            Assert.That(d.SkipTo, Is.EqualTo(42));
            Assert.That(d.LingerTime, Is.Null);
            Assert.That(d.Batching, Is.EqualTo(new BatchingDescriptor(10, null)));
        });
    }

    [Test]
    public void Array_items_come_as_numbered_child_keys()
    {
        StreamDescriptor d = Packages.FromConfiguration(Memory(new()
        {
            ["S:Transport:Type"] = "kafka",
            ["S:Transport:BootstrapServers:0"] = "a:1",
            ["S:Transport:BootstrapServers:1"] = "b:2",
            ["S:Transport:Topic"] = "t",
        }));
        Assert.That(((KafkaTransportDescriptor)d.Transport).BootstrapServers, Is.EqualTo(new[] { "a:1", "b:2" }));
    }

    [Test]
    public void A_schema_can_be_given_as_json_text()
    {
        StreamDescriptor d = Packages.FromConfiguration(Memory(new()
        {
            ["S:Transport"] = "REST",
            ["S:Encoding"] = "json",
            ["S:Schema"] = """{"type": "array", "items": "double"}""",
        }));
        Assert.That(d.Schema, Is.EqualTo(SchemaReference.Inline("""{"type":"array","items":"double"}""")));
    }

    [Test]
    public void A_bad_value_reports_the_descriptor_path_and_the_section()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.FromConfiguration(Memory(new()
        {
            ["S:Transport:Type"] = "tcp",
            ["S:Transport:Host"] = "h",
            ["S:Transport:Port"] = "eighty",
            ["S:Loop"] = "maybe",
        })));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Errors.Select(e => e.Path), Is.EquivalentTo(new[] { "Transport.Port", "Loop" }));
            Assert.That(ex.Errors.First(e => e.Path == "Transport.Port").Message, Does.Contain("found \"eighty\""));
            Assert.That(ex.Origin, Is.EqualTo("configuration section 'S'"));
        });
    }

    [Test]
    public void An_unknown_key_is_reported_with_a_suggestion()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.FromConfiguration(Memory(new()
        {
            ["S:Transport"] = "REST",
            ["S:Encodng"] = "json",
        })));
        Assert.That(ex!.Errors.Single().Message, Does.Contain("Did you mean 'Encoding'?"));
    }

    [Test]
    public void A_missing_section_reports_the_missing_transport()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.FromConfiguration(Memory(new())));
        Assert.That(ex!.Errors.Single().Path, Is.EqualTo("Transport"));
    }
}

/// <summary>Third-party transport types registered in the options.</summary>
public sealed class CustomTransportTests
{
    private static StreamDescriptorOptions Options() =>
        DescriptorOnlyTransport.Options(new DescriptorOnlyTransport("time", preservesRecordBoundaries: true, isSeekable: false, canRead: true, canWrite: false));

    [Test]
    public void A_registered_type_parses_into_a_custom_descriptor()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "Time", "Period": 1.5, "MaxCount": 3}, "Encoding": "json"}""", Options());
        var custom = (CustomTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(custom.Type, Is.EqualTo("time"));
            Assert.That(custom.Fields.GetProperty("Period").GetDouble(), Is.EqualTo(1.5));
            Assert.That(custom.Fields.GetProperty("Type").GetString(), Is.EqualTo("time"));
            Assert.That(custom.PreservesRecordBoundaries, Is.True);
            Assert.That(custom.CanWrite, Is.False);
            Assert.That(d.Envelope, Is.Null, "boundary-preserving: no default envelope");
        });
    }

    [Test]
    public void A_registered_type_shortcut_parses() =>
        Assert.That(Packages.Parse("""{"Transport": "time"}""", Options()).Transport.Type, Is.EqualTo("time"));

    [Test]
    public void Registered_capabilities_drive_the_rules() =>
        Assert.That(() => Packages.Parse("""{"Transport": "time", "Loop": true}""", Options()),
            Throws.InstanceOf<DescriptorException>().With.Message.Contains("Loop: true needs a seekable transport"));

    [Test]
    public void Unknown_types_list_the_registered_ones_too()
    {
        var ex = Assert.Throws<DescriptorException>(() => Packages.Parse("""{"Transport": "tme"}""", Options()));
        Assert.That(ex!.Errors.Single().Message, Does.Contain("tcp, time, udp").And.Contain("Did you mean 'time'?"));
    }

    [Test]
    public void A_custom_descriptor_round_trips()
    {
        StreamDescriptor d = Packages.Parse("""{"Transport": {"Type": "TIME", "Delay": 0.5, "Token": "abc"}, "Encoding": "json"}""", Options());
        StreamDescriptor again = Packages.Parse(d.ToJson(), Options());
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(d));
            Assert.That(d.ToDisplayJson(), Does.Contain("\"Token\": \"*****\"").And.Contain("\"Delay\": 0.5"));
        });
    }

    [Test]
    public void The_shared_default_options_take_no_schema_library() =>
        Assert.That(() => StreamDescriptorOptions.Default.SchemaLibrary = new SchemaLibrary(), Throws.InvalidOperationException);

    [Test]
    public void A_provider_registered_under_a_core_name_replaces_the_core_one()
    {
        StreamDescriptorOptions options = DescriptorOnlyTransport.Options(new DescriptorOnlyTransport("file", preservesRecordBoundaries: true, isSeekable: false));
        Assert.That(Packages.Parse("""{"Transport": {"Type": "file", "Anything": 1}}""", options).Transport, Is.TypeOf<CustomTransportDescriptor>());
    }

    [Test]
    public void The_shared_default_options_and_registry_cannot_be_changed() => Assert.Multiple(() =>
    {
        Assert.That(() => StreamDescriptorOptions.Default.Components = new ComponentRegistry(), Throws.InvalidOperationException);
        Assert.That(() => ComponentRegistry.Default.Add(new DescriptorOnlyTransport("x", true, true)), Throws.InvalidOperationException);
    });

    [Test]
    public void Without_registration_the_type_is_unknown() =>
        Assert.That(() => Packages.Parse("""{"Transport": "time"}"""), Throws.InstanceOf<DescriptorException>().With.Message.Contains("'time' is not a known transport"));
}

/// <summary>CheckSlot: even slots are inputs, odd slots outputs.</summary>
public sealed class SlotCheckTests
{
    [TestCase("\"discard\"", 0, "a discard transport cannot be an input")]
    [TestCase("""{"Type": "inline", "Data": ["1"]}""", 1, "an inline transport cannot be an output")]
    [TestCase("""{"Type": "http", "Url": "http://h/x"}""", 1, "an http transport cannot be an output")]
    [TestCase("""{"Type": "odbc", "ConnectionString": "DSN=x", "SelectQuery": "SELECT 1"}""", 1, "give InsertIntoTable")]
    public void A_transport_that_cannot_serve_the_slot_direction_is_reported(string transport, int slot, string fragment)
    {
        IReadOnlyList<DescriptorError> errors = Packages.Parse($$"""{"Transport": {{transport}}}""").CheckSlot(slot);
        Assert.Multiple(() =>
        {
            Assert.That(errors.Single().Path, Is.EqualTo("Transport"));
            Assert.That(errors.Single().Message, Does.Contain(fragment).And.Contain($"slot {slot}"));
        });
    }

    [TestCase("\"discard\"", 1)]
    [TestCase("\"REST\"", 0)]
    [TestCase("\"REST\"", 1)]
    [TestCase("""{"Type": "inline", "Data": ["1"]}""", 2)]
    public void A_fitting_transport_has_no_slot_errors(string transport, int slot) =>
        Assert.That(Packages.Parse($$"""{"Transport": {{transport}}}""").CheckSlot(slot), Is.Empty);

    [Test]
    public void A_csv_output_needs_a_schema() =>
        Assert.That(Packages.Parse("""{"Transport": {"Type": "file", "Path": "/x"}, "Encoding": "csv", "Schema": null}""").CheckSlot(1).Single().Path, Is.EqualTo("Schema"));

    [Test]
    public void A_negative_slot_is_an_argument_error() =>
        Assert.That(() => Packages.Parse("""{"Transport": "REST"}""").CheckSlot(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
