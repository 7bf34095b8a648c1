using System.Text.Json;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FastScore.Streams.Tests.DependencyInjection;

/// <summary>Named streams read from a real appsettings.json under the generic host, with a schema library folder.</summary>
public sealed class ConfigurationStreamsTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("fss-di-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "schemas"));
        File.Copy(Fixture("xgboost_iris_input.avsc"), Path.Combine(_dir, "schemas", "iris_input.avsc"));
        File.Copy(Fixture("xgboost_iris_inputs.jsons"), Path.Combine(_dir, "iris.jsons"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "iris", name);

    private string In(string name) => Path.Combine(_dir, name);

    /// <summary>Writes appsettings.json with a FastScore:Streams section holding <paramref name="streams"/> (JSON object members).</summary>
    private void WriteAppSettings(string streams) =>
        File.WriteAllText(In("appsettings.json"), $$$"""{"Logging": {"LogLevel": {"Default": "Warning"}}, "FastScore": {"Streams": { {{{streams}}} } } }""");

    private static string Json(string value) => JsonSerializer.Serialize(value);

    private IHost BuildHost(Action<IFastScoreStreamsBuilder>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _dir, Args = [] });
        IFastScoreStreamsBuilder streams = builder.Services.AddFastScoreStreams().AddSchemasFromDirectory("schemas").AddStreamsFromConfiguration();
        configure?.Invoke(streams);
        return builder.Build();
    }

    [Test]
    public async Task Two_streams_from_appsettings_json_resolve_by_name_one_with_a_schema_reference()
    {
        WriteAppSettings($$$"""
            "iris-in": {"Transport": {"Type": "file", "Path": {{{Json(In("iris.jsons"))}}} }, "Envelope": "delimited", "Encoding": "json", "Schema": {"$ref": "iris_input"}},
            "scores-out": {{{Json("file:" + In("scores.jsons"))}}}
            """);
        using IHost host = BuildHost();
        await host.StartAsync();
        try
        {
            StreamCatalog catalog = host.Services.GetRequiredService<StreamCatalog>();
            StreamDescriptor irisIn = host.Services.GetRequiredKeyedService<StreamDescriptor>("iris-in");
            StreamDescriptor scoresOut = host.Services.GetRequiredKeyedService<StreamDescriptor>("scores-out");
            Assert.Multiple(() =>
            {
                Assert.That(catalog.Names, Is.EqualTo(new[] { "iris-in", "scores-out" }));
                Assert.That(irisIn.Transport, Is.EqualTo(new FileTransportDescriptor { Path = In("iris.jsons") }));
                Assert.That(irisIn.Schema, Is.EqualTo(SchemaReference.Ref("iris_input")));
                Assert.That(scoresOut.Transport, Is.EqualTo(new FileTransportDescriptor { Path = In("scores.jsons") }));
                Assert.That(scoresOut.Encoding?.Type, Is.EqualTo("json"));
            });

            await using InputStream input = catalog.CreateInput("iris-in");
            var lengths = new List<double>();
            await foreach (JsonElement record in input.ReadAllAsync<JsonElement>())
            {
                lengths.Add(record.GetProperty("sepal_length").GetDouble());
            }

            Assert.Multiple(() =>
            {
                Assert.That(input.Schema?.Fullname, Is.EqualTo("xgboost_input"), "the $ref resolved through the schema library at open");
                Assert.That(input.Name, Is.EqualTo("iris-in"));
                Assert.That(lengths, Has.Count.EqualTo(25));
                Assert.That(lengths.Take(2), Is.EqualTo(new[] { 6.9, 4.6 }));
            });
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Test]
    public void A_bad_descriptor_in_configuration_stops_the_host_at_start_naming_the_configuration_path()
    {
        WriteAppSettings($$$"""
            "good": {"Transport": "discard"},
            "bad": {"Transport": {"Type": "file", "Path": "relative/in.jsons"}, "Encoding": "json"}
            """);
        using IHost host = BuildHost();

        var ex = Assert.ThrowsAsync<DescriptorException>(() => host.StartAsync());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("FastScore:Streams:bad"));
            Assert.That(ex.Origin, Does.Contain("FastScore:Streams:bad"));
            Assert.That(ex.Errors.Select(e => e.Path), Is.EqualTo(new[] { "Transport.Path" }));
        });
    }

    [Test]
    public void A_bad_literal_in_configuration_names_the_configuration_path()
    {
        WriteAppSettings(""" "bad": "kafka:no-topic" """);
        using IHost host = BuildHost();

        var ex = Assert.ThrowsAsync<DescriptorException>(() => host.StartAsync());
        Assert.That(ex!.Origin, Does.StartWith("configuration section 'FastScore:Streams:bad'"));
    }

    [Test]
    public void A_reference_to_a_schema_missing_from_the_library_fails_at_start()
    {
        WriteAppSettings(""" "in": {"Transport": "discard", "Schema": {"$ref": "iris_inptu"}} """);
        using IHost host = BuildHost();

        var ex = Assert.ThrowsAsync<DescriptorException>(() => host.StartAsync());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Origin, Does.Contain("FastScore:Streams:in"));
            Assert.That(ex.Message, Does.Contain("iris_inptu").And.Contain("iris_input"));
        });
    }

    [Test]
    public void A_missing_schema_folder_fails_at_start()
    {
        WriteAppSettings(""" "in": {"Transport": "discard"} """);
        Directory.Delete(In("schemas"), recursive: true);
        using IHost host = BuildHost();

        Assert.That(() => host.StartAsync(), Throws.TypeOf<DirectoryNotFoundException>());
    }

    [Test]
    public void A_missing_section_registers_no_streams()
    {
        File.WriteAllText(In("appsettings.json"), "{}");
        using IHost host = BuildHost();

        Assert.That(host.Services.GetRequiredService<StreamCatalog>().Names, Is.Empty);
    }

    [Test]
    public void Code_and_configuration_streams_share_the_catalog_and_a_later_registration_wins()
    {
        WriteAppSettings(""" "a": {"Transport": "discard"}, "b": {"Transport": "discard"} """);
        StreamDescriptor console = Packages.CreateBuilder().UseConsole().Build();
        using IHost host = BuildHost(b => b.AddStream("b", console).AddStream("c", d => d.UseInline("1")));
        StreamCatalog catalog = host.Services.GetRequiredService<StreamCatalog>();

        Assert.Multiple(() =>
        {
            Assert.That(catalog.Names, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(catalog.GetDescriptor("b"), Is.SameAs(console));
        });
    }

    [Test]
    public void A_section_can_be_given_directly_without_a_host()
    {
        WriteAppSettings($$$""" "in": {"Transport": {"Type": "file", "Path": {{{Json(In("iris.jsons"))}}} }, "Encoding": "json", "Schema": {"$ref": "iris_input"}} """);
        IConfigurationRoot configuration = new ConfigurationBuilder().SetBasePath(_dir).AddJsonFile("appsettings.json").Build();
        var services = new ServiceCollection();
        services.AddFastScoreStreams()
            .UseSchemaLibrary(SchemaLibrary.FromDirectory(In("schemas")))
            .AddStreamsFromConfiguration(configuration.GetSection("FastScore:Streams"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredKeyedService<StreamDescriptor>("in").Schema, Is.EqualTo(SchemaReference.Ref("iris_input")));
    }

    [Test]
    public void The_section_path_overload_needs_an_IConfiguration_service()
    {
        var services = new ServiceCollection();
        services.AddFastScoreStreams().AddStreamsFromConfiguration("Streams");
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.That(() => provider.GetRequiredService<StreamCatalog>(),
            Throws.InvalidOperationException.With.Message.Contains("AddStreamsFromConfiguration(\"Streams\") needs an IConfiguration service"));
    }

    [Test]
    public void A_schema_library_and_a_folder_are_merged_without_changing_the_given_library()
    {
        var library = new SchemaLibrary().Register("score", """{"type": "double"}""");
        var services = new ServiceCollection();
        services.AddFastScoreStreams().UseSchemaLibrary(library).AddSchemasFromDirectory(In("schemas"));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<StreamFactory>().Options.SchemaLibrary!.Names, Is.EqualTo(new[] { "iris_input", "score" }));
            Assert.That(provider.GetRequiredService<StreamDescriptorOptions>().SchemaLibrary!.Names, Is.EqualTo(new[] { "iris_input", "score" }));
            Assert.That(library.Names, Is.EqualTo(new[] { "score" }));
        });
    }
}
