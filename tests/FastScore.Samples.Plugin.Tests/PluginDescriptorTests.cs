using System.IO.Compression;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FastScore.Samples.Plugin.Tests;

/// <summary>The sample's descriptor parts as a third party sees them: read, checked, written back, literal, builder.</summary>
public sealed class PluginDescriptorTests
{
    private static StreamFactoryOptions Options() => new StreamFactoryOptions().AddSamplePlugin();

    private static StreamDescriptor Parse(string json) => StreamDescriptor.Parse(json, Options().CreateDescriptorOptions());

    private static IReadOnlyList<string> Errors(string json)
    {
        var ex = Assert.Throws<DescriptorException>(() => Parse(json))!;
        return [.. ex.Errors.Select(e => e.ToString())];
    }

    [Test]
    public void A_descriptor_with_all_three_parts_is_read_into_the_packages_types()
    {
        StreamDescriptor d = Parse("""
            {"Transport": {"Type": "GZIP", "Path": "/data/in.kv.gz", "Level": "Fastest"},
             "Envelope": {"Type": "netstring", "Terminator": "\n"},
             "Encoding": {"Type": "kv", "Separator": "&"}}
            """);
        Assert.Multiple(() =>
        {
            Assert.That(d.Transport, Is.EqualTo(new GzipTransportDescriptor { Path = "/data/in.kv.gz", Level = CompressionLevel.Fastest }));
            Assert.That(d.Envelope, Is.EqualTo(new NetstringEnvelopeDescriptor { Terminator = "\n" }));
            Assert.That(d.Encoding, Is.EqualTo(new KvEncodingDescriptor { Separator = "&" }));
            Assert.That(d.Schema, Is.EqualTo(SchemaReference.None));
        });
    }

    [Test]
    public void Aliases_are_accepted_and_a_warned_alias_is_reported()
    {
        StreamDescriptor d = Parse("""{"Transport": {"Type": "gz", "Path": "/d/x.gz"}, "Envelope": "netstrings", "Encoding": "keyvalue"}""");
        Assert.Multiple(() =>
        {
            Assert.That(d.Transport.Type, Is.EqualTo("gzip"));
            Assert.That(d.Envelope!.Type, Is.EqualTo("netstring"));
            Assert.That(d.Encoding!.Type, Is.EqualTo("kv"));
            Assert.That(d.Warnings.Select(w => w.ToString()), Has.Some.Contains("Encoding").And.Some.Contains("write 'kv'"));
        });
    }

    [Test]
    public void Wrong_fields_are_reported_at_their_paths_with_the_nearest_name_all_at_once()
    {
        IReadOnlyList<string> errors = Errors("""
            {"Transport": {"Type": "gzip", "Pth": "/data/in.gz", "Level": "fastst"},
             "Envelope": {"Type": "netstring", "Terminator": "::"},
             "Encoding": {"Type": "kv", "Separator": "="}}
            """);
        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "Transport.Pth: unknown field of a gzip transport; known fields: Type, Path, Level. Did you mean 'Path'?",
            "Transport.Path: required field is missing; expected an absolute path.",
            "Transport.Level: expected one of optimal, fastest, smallest, none; found \"fastst\". Did you mean 'fastest'?",
            "Envelope.Terminator: must be one ASCII character other than a digit or ':'; found \"::\".",
            "Encoding.Separator: must be one printable ASCII character other than '=', '%' and a space; found \"=\".",
        }), string.Join("\n", errors));
    }

    [Test]
    public void A_relative_path_and_a_schema_on_an_untyped_encoding_are_errors()
    {
        IReadOnlyList<string> errors = Errors("""{"Transport": {"Type": "gzip", "Path": "in.gz"}, "Envelope": "netstring", "Encoding": "kv", "Schema": "double"}""");
        Assert.Multiple(() =>
        {
            Assert.That(errors, Has.Some.StartsWith("Transport.Path: must be an absolute path"));
            Assert.That(errors, Has.Some.StartsWith("Schema:"));
        });
    }

    [Test]
    public void Without_the_package_the_names_are_unknown_and_the_error_lists_the_registered_ones()
    {
        var ex = Assert.Throws<DescriptorException>(() => StreamDescriptor.Parse("""{"Transport": {"Type": "gzip", "Path": "/d/x.gz"}, "Envelope": "netstring", "Encoding": "kv"}"""))!;
        string text = string.Join("\n", ex.Errors.Select(e => e.ToString()));
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Transport.Type: 'gzip' is not a known transport; known: "));
            Assert.That(text, Does.Contain("file"));
        });
    }

    [Test]
    public void The_display_form_that_stream_verify_prints_has_every_field_and_default()
    {
        StreamDescriptor d = Parse("""{"Transport": {"Type": "gzip", "Path": "/data/out.kv.gz"}, "Envelope": "netstring", "Encoding": "kv"}""");
        string display = d.ToDisplayJson();
        Assert.Multiple(() =>
        {
            Assert.That(display, Does.Contain("\"Type\": \"gzip\"").And.Contain("\"Path\": \"/data/out.kv.gz\"").And.Contain("\"Level\": \"optimal\""));
            Assert.That(display, Does.Contain("\"Type\": \"netstring\"").And.Contain("\"Terminator\": \",\"").And.Contain("\"MaxRecordSize\""));
            Assert.That(display, Does.Contain("\"Encoding\": \"kv\""));
            // written back and read again: the same descriptor (canonical, display and FastScore's snake_case forms)
            Assert.That(Parse(d.ToJson()), Is.EqualTo(d));
            Assert.That(Parse(display), Is.EqualTo(d));
            Assert.That(d.ToInternalJson(), Does.Contain("\"terminator\": \",\""));
        });

        // and it can run: what `stream verify` checks after printing
        Assert.DoesNotThrow(() => new StreamFactory(Options()).Validate(d, input: true));
        Assert.DoesNotThrow(() => new StreamFactory(Options()).Validate(d, input: false));
    }

    [Test]
    public void A_non_default_separator_is_written_as_an_object()
    {
        StreamDescriptor d = Parse("""{"Transport": {"Type": "gzip", "Path": "/d/x.gz"}, "Envelope": "netstring", "Encoding": {"Type": "kv", "Separator": "&"}}""");
        Assert.That(d.ToDisplayJson(indented: false), Does.Contain("\"Encoding\":{\"Type\":\"kv\",\"Separator\":\"&\"}"));
    }

    [Test]
    public void A_literal_picks_the_package_encoding_by_its_file_ending()
    {
        StreamDescriptorOptions options = Options().CreateDescriptorOptions();
        StreamDescriptor kv = StreamDescriptor.FromLiteral("gzip:/data/in.kv.gz", options);
        StreamDescriptor file = StreamDescriptor.FromLiteral("file:/data/in.KV", options);
        Assert.Multiple(() =>
        {
            Assert.That(kv.Encoding?.Type, Is.EqualTo("kv"));
            Assert.That(file.Encoding?.Type, Is.EqualTo("kv"));
            Assert.That(StreamDescriptor.FromLiteral("file:/data/in.kv").Encoding?.Type, Is.EqualTo("json"), "without the package, .kv is not an encoding's ending");
        });
    }

    [Test]
    public void The_literal_expands_to_the_transport_and_guesses_the_encoding_without_gz()
    {
        StreamDescriptorOptions options = Options().CreateDescriptorOptions();
        StreamDescriptor utf8 = StreamDescriptor.FromArgument("gzip:/data/in.utf8.gz", options);
        StreamDescriptor json = StreamDescriptor.FromArgument("gzip:///data/in.jsons.gz", options);
        Assert.Multiple(() =>
        {
            Assert.That(utf8.Transport, Is.EqualTo(new GzipTransportDescriptor { Path = "/data/in.utf8.gz" }));
            Assert.That(utf8.Encoding?.Type, Is.EqualTo("utf-8"));
            Assert.That(json.Transport, Is.EqualTo(new GzipTransportDescriptor { Path = "/data/in.jsons.gz" }));
            Assert.That(json.Encoding?.Type, Is.EqualTo("json"));
            Assert.That(json.Envelope?.Type, Is.EqualTo("delimited"));
        });
    }

    [Test]
    public void A_malformed_literal_names_the_valid_syntax()
    {
        var ex = Assert.Throws<DescriptorException>(() => StreamDescriptor.FromArgument("gzip:in.gz", Options().CreateDescriptorOptions()))!;
        Assert.That(ex.Errors.Single().Message, Is.EqualTo("'gzip:in.gz' needs an absolute path; valid syntax: gzip:/data/input.jsons.gz."));
    }

    [Test]
    public void The_builder_methods_make_the_same_descriptor_as_the_json()
    {
        StreamDescriptorOptions options = Options().CreateDescriptorOptions();
        StreamDescriptor built = StreamDescriptor.CreateBuilder(options).UseGzip("/data/in.kv.gz", CompressionLevel.SmallestSize).UseNetstring().UseKv("&").Build();
        StreamDescriptor parsed = Parse("""{"Transport": {"Type": "gzip", "Path": "/data/in.kv.gz", "Level": "smallest"}, "Envelope": "netstring", "Encoding": {"Type": "kv", "Separator": "&"}}""");
        Assert.That(built, Is.EqualTo(parsed));
    }

    [Test]
    public void The_builder_checks_the_packages_rules_too()
    {
        StreamDescriptorOptions options = Options().CreateDescriptorOptions();
        var ex = Assert.Throws<DescriptorException>(() => StreamDescriptor.CreateBuilder(options).UseGzip("relative.gz").UseNetstring("7").UseKv().Build())!;
        Assert.That(ex.Errors.Select(e => e.Path), Is.SupersetOf(new[] { "Transport.Path", "Envelope.Terminator" }));
    }

    [Test]
    public void Dependency_injection_registers_the_package_in_the_one_registry()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddSamplePlugin();
        using ServiceProvider provider = services.BuildServiceProvider();
        StreamFactoryOptions options = provider.GetRequiredService<IOptions<StreamFactoryOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(options.Components.TransportNames, Does.Contain("gzip"));
            Assert.That(options.Components.EnvelopeNames, Does.Contain("netstring"));
            Assert.That(options.Components.EncodingNames, Does.Contain("kv"));
            Assert.That(options.Components.LiteralTags, Does.Contain("gzip"));
        });
    }
}
