using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.AotSmoke;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Internal;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// The <c>FastScore.Streams.DisableEmittedCode</c> switch: with it set, nothing is emitted (no DynamicMethod, no compiled
/// lambda) and the pipeline the Native AOT smoke app runs gives the same records as with emitted code.
/// </summary>
[NonParallelizable]
public sealed class EmittedCodeSwitchTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-emit-").FullName;

    [TearDown]
    public void TearDown()
    {
        AppContext.SetSwitch(EmittedCode.SwitchName, false);
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task The_smoke_pipeline_scores_the_same_records_with_emitted_code_off()
    {
        SmokeResult emitted = await SmokePipeline.RunAsync(Descriptors, Path.Combine(_dir, "emitted.jsons"));
        AppContext.SetSwitch(EmittedCode.SwitchName, true);
        SmokeResult general = await SmokePipeline.RunAsync(Descriptors, Path.Combine(_dir, "general.jsons"));

        Assert.Multiple(() =>
        {
            Assert.That(emitted.Succeeded, Is.True, emitted.ToString());
            Assert.That(general.Succeeded, Is.True, general.ToString());
            Assert.That(general.Output, Is.EqualTo(emitted.Output));
            Assert.That(general.Rejected, Is.EqualTo(emitted.Rejected));
            Assert.That(general.Rejected, Is.EqualTo(new[] { "record 4: rejected by Schema: $.sepal_length: expected float, got \"not a number\"" }));
        });
    }

    [Test]
    public void With_the_switch_set_codecs_and_checkers_emit_nothing_and_without_it_they_do()
    {
        Avro.Schema schema = Avro.Schema.Parse("""
            {"type": "record", "name": "Iris", "fields": [{"name": "sepal_length", "type": "float"}, {"name": "sepal_width", "type": "float"},
             {"name": "petal_length", "type": "float"}, {"name": "petal_width", "type": "float"}]}
            """);
        (bool Reader, bool Writer, bool Scanner) Build()
        {
            var options = new JsonSerializerOptions { TypeInfoResolver = new DefaultJsonTypeInfoResolver() }; // new options: a codec of its own
            JsonPocoCodec<Iris> codec = JsonPocoCodec<Iris>.TryCreate((JsonTypeInfo<Iris>)options.GetTypeInfo(typeof(Iris)))
                ?? throw new AssertionException("no codec");
            return (codec.InOrderReader is not null, codec.EmittedWriter is not null, new JsonAvroSchemaChecker(schema).TriesInOrder);
        }

        (bool Reader, bool Writer, bool Scanner) on = Build();
        AppContext.SetSwitch(EmittedCode.SwitchName, true);
        (bool Reader, bool Writer, bool Scanner) off = Build();

        Assert.Multiple(() =>
        {
            Assert.That(on, Is.EqualTo((true, true, true)), "emitted reader, writer and schema scanner");
            Assert.That(off, Is.EqualTo((false, false, false)), "the general loops only");
            Assert.That(EmittedCode.IsEnabled, Is.False);
        });
    }

    private static string Descriptors => Path.Combine(AppContext.BaseDirectory, "aot-smoke");
}
