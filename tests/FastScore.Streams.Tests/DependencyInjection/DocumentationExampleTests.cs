using System.Text.Json;
using FastScore.Streams.Descriptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FastScore.Streams.Tests.DependencyInjection;

/// <summary>The README's usage example and the worker of docs/dependency-injection.md, run for real (file streams instead of Kafka).</summary>
public sealed class DocumentationExampleTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("fss-docs-").FullName;
        Directory.CreateDirectory(Path.Combine(_dir, "schemas"));
        File.Copy(Fixture("xgboost_iris_input.avsc"), Path.Combine(_dir, "schemas", "iris_input.avsc"));
        File.Copy(Fixture("xgboost_iris_inputs.jsons"), Path.Combine(_dir, "iris.jsons"));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Fixtures", "iris", name);

    [Test]
    public async Task The_readme_example_reads_the_iris_records()
    {
        string path = Path.Combine(_dir, "iris.jsons");
        string[] args = [];
        var seen = new List<double>();

        // README.md, "Usage" (Console.WriteLine replaced by a list)
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddFastScoreStreams()
            .AddStream("iris", d => d.UseFile(path).UseEncoding("json"));
        using IHost host = builder.Build();

        StreamCatalog streams = host.Services.GetRequiredService<StreamCatalog>();
        await using InputStream input = streams.CreateInput("iris");
        await foreach (JsonElement flower in input.ReadAllAsync<JsonElement>())
            seen.Add(flower.GetProperty("sepal_length").GetDouble());

        Assert.That(seen.Take(2), Is.EqualTo(new[] { 6.9, 4.6 }));
        Assert.That(seen, Has.Count.EqualTo(25));
    }

    [Test]
    public async Task The_worker_of_the_dependency_injection_page_scores_every_record()
    {
        string output = Path.Combine(_dir, "scores.jsons");
        File.WriteAllText(Path.Combine(_dir, "appsettings.json"), $$"""
            {
              "FastScore": {
                "Streams": {
                  "iris-in": {
                    "Transport": { "Type": "file", "Path": {{JsonSerializer.Serialize(Path.Combine(_dir, "iris.jsons"))}} },
                    "Encoding": "json",
                    "Schema": { "$ref": "iris_input" }
                  },
                  "scores-out": {{JsonSerializer.Serialize("file:" + output)}}
                }
              }
            }
            """);

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _dir, Args = [] });
        builder.Services.AddFastScoreStreams()
            .AddSchemasFromDirectory("schemas")
            .AddStreamsFromConfiguration();
        builder.Services.AddSingleton<IrisScorer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IrisScorer>());
        using IHost host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<IrisScorer>().ExecuteTask!;
        await host.StopAsync();

        string[] lines = File.ReadAllLines(output);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(25));
            Assert.That(lines[0], Is.EqualTo("""{"setosa":false}"""));
            Assert.That(lines[1], Is.EqualTo("""{"setosa":true}"""));
        });
    }

    private sealed record Iris(double sepal_length, double sepal_width, double petal_length, double petal_width);

    private sealed class IrisScorer(StreamCatalog streams) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await using InputStream input = streams.CreateInput("iris-in");
            await using OutputStream output = streams.CreateOutput("scores-out");
            await foreach (Iris flower in input.ReadAllAsync<Iris>(stoppingToken))
            {
                await output.WriteAsync(Score(flower), stoppingToken);
            }

            await output.CompleteAsync(stoppingToken);
        }

        private static object Score(Iris flower) => new { setosa = flower.petal_length < 2.5 };
    }
}
