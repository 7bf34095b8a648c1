using System.Text.Json;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.DependencyInjection;

namespace FastScore.Streams.Tests.DependencyInjection;

/// <summary>The catalog opens named streams through the StreamFactory, with the real file transport and JSON encoding.</summary>
public sealed class StreamCatalogTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-catalog-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private sealed record Iris(double sepal_length, double sepal_width, double petal_length, double petal_width);

    private static ServiceProvider Provider(Action<IFastScoreStreamsBuilder> configure)
    {
        var services = new ServiceCollection();
        configure(services.AddFastScoreStreams());
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task The_catalog_reads_a_named_file_stream_with_the_json_encoding()
    {
        string path = Path.Combine(_dir, "iris.jsons");
        File.Copy(Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "iris", "xgboost_iris_inputs.jsons"), path);
        await using ServiceProvider provider = Provider(b => b.AddStream("iris", d => d.UseFile(path).UseEncoding("json")));
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        var records = new List<Iris>();
        await using (InputStream input = catalog.CreateInput("iris"))
        {
            await foreach (Iris record in input.ReadAllAsync<Iris>())
            {
                records.Add(record);
            }

            Assert.Multiple(() =>
            {
                Assert.That(input.Name, Is.EqualTo("iris"));
                Assert.That(input.Counters.Records, Is.EqualTo(25));
                Assert.That(input.IsEndOfStream, Is.True);
            });
        }

        Assert.Multiple(() =>
        {
            Assert.That(records, Has.Count.EqualTo(25));
            Assert.That(records[0], Is.EqualTo(new Iris(6.9, 3.1, 5.4, 2.1)));
            Assert.That(records[1], Is.EqualTo(new Iris(4.6, 3.1, 1.5, 0.2)));
        });
    }

    [Test]
    public async Task The_catalog_reads_an_inline_stream_and_writes_a_file_stream()
    {
        string output = Path.Combine(_dir, "out.jsons");
        await using ServiceProvider provider = Provider(b => b
            .AddStream("numbers", d => d.UseInline("1", "2", "3").UseEncoding("json"))
            .AddStream("doubled", d => d.UseFile(output).UseEncoding("json")));
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        await using (InputStream input = catalog.CreateInput("numbers"))
        await using (OutputStream writer = catalog.CreateOutput("doubled"))
        {
            await foreach (int n in input.ReadAllAsync<int>())
            {
                await writer.WriteAsync(new { n, doubled = n * 2 });
            }

            await writer.CompleteAsync();
            Assert.That(writer.Name, Is.EqualTo("doubled"));
        }

        string[] lines = File.ReadAllLines(output);
        Assert.That(lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("doubled").GetInt32()), Is.EqualTo(new[] { 2, 4, 6 }));
    }

    [Test]
    public async Task Open_options_are_kept_and_the_name_defaults_to_the_stream_name()
    {
        await using ServiceProvider provider = Provider(b => b.AddStream("numbers", d => d.UseInline("1").UseEncoding("json")));
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        await using InputStream named = catalog.CreateInput("numbers", new StreamOpenOptions { Name = "mine", Slot = 2 });
        await using InputStream defaulted = catalog.CreateInput("NUMBERS", new StreamOpenOptions { Slot = 4 });
        Assert.Multiple(() =>
        {
            Assert.That((named.Name, named.Slot), Is.EqualTo(("mine", 2)));
            Assert.That((defaulted.Name, defaulted.Slot), Is.EqualTo(("NUMBERS", 4)));
        });
    }

    [Test]
    public void A_schema_reference_resolves_through_the_library_when_the_stream_opens()
    {
        var library = new SchemaLibrary().Register("score", """{"type": "record", "name": "Score", "fields": [{"name": "p", "type": "double"}]}""");
        using ServiceProvider provider = Provider(b => b.UseSchemaLibrary(library).AddStream("scores", d => d.UseDiscard().UseEncoding("json").UseSchemaRef("score")));
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        OutputStream output = catalog.CreateOutput("scores");
        Assert.That(output.Schema?.Fullname, Is.EqualTo("Score"));
    }

    [Test]
    public void A_stream_used_in_the_wrong_direction_is_a_descriptor_error()
    {
        using ServiceProvider provider = Provider(b => b.AddStream("numbers", d => d.UseInline("1")));
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        Assert.That(() => catalog.CreateOutput("numbers"), Throws.TypeOf<DescriptorException>().With.Message.Contains("cannot be used as an output"));
    }

    [Test]
    public void An_unknown_name_lists_the_registered_streams()
    {
        using ServiceProvider provider = Provider(b => b.AddStream("b", d => d.UseDiscard()).AddStream("a", d => d.UseDiscard()));
        StreamCatalog catalog = provider.GetRequiredService<StreamCatalog>();

        Assert.Multiple(() =>
        {
            Assert.That(() => catalog.CreateInput("c"), Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("registered: a, b"));
            Assert.That(catalog.Contains("A"), Is.True);
            Assert.That(catalog.Contains("c"), Is.False);
        });
    }

    [Test]
    public void A_catalog_can_be_created_without_DI()
    {
        StreamDescriptor discard = StreamDescriptor.CreateBuilder().UseDiscard().Build();
        var catalog = new StreamCatalog(new StreamFactory(), [new("out", discard)]);

        Assert.Multiple(() =>
        {
            Assert.That(catalog.Names, Is.EqualTo(new[] { "out" }));
            Assert.That(catalog.CreateOutput("out").Name, Is.EqualTo("out"));
        });
    }
}
