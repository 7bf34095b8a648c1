using FastScore.Streams.Engine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineFailureTests : EngineTestBase
{
    [Test]
    public async Task An_input_that_fails_ends_the_run_in_ERROR_naming_the_slot_and_stream()
    {
        Transports.Add("in", new FailingInput("a", "b"));
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"), "orders");
        engine.Attach(1, Test("out"));

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Inspect().Error, Does.StartWith("slot 0 (orders):").And.Contains("connection reset by peer"));
            Assert.That(output.Records, Is.EqualTo(new[] { "a", "b" }), "what was read before the failure is scored and written");
            Assert.That(output.Completed, Is.True);
        });
    }

    [Test]
    public async Task An_output_that_fails_ends_the_run_in_ERROR_with_its_reason()
    {
        ChannelInput input = Input("in").Write("a");
        input.Complete();
        Transports.Add("out", new FailingOutput());
        ScoringEngine engine = NewEngine();
        engine.LoadModel(new Recorder());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"), "scores");

        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Error));
        Assert.That(engine.Inspect().Error, Does.Contain("scores").And.Contains("disk full"));
    }

    [Test]
    public async Task State_changes_rejections_and_model_errors_are_logged()
    {
        using var provider = new FakeLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(provider));
        ChannelInput input = Input("in").Write("\"a\"", "{bad", "\"boom\"");
        input.Complete();
        Output("out");
        var engine = new ScoringEngine(new StreamFactory(FactoryOptions), new EngineOptions { OnModelError = ModelErrorPolicy.Skip }, loggers);
        await using (engine)
        {
            engine.LoadModel(new Thrower("boom"));
            engine.Attach(0, Test("in", encoding: FastScore.Streams.Descriptors.EncodingDescriptor.Json));
            engine.Attach(1, Test("out"));
            Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        }

        IReadOnlyList<FakeLogRecord> logs = provider.Collector.GetSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(logs.Select(l => l.Category).Distinct(), Is.EqualTo(new[] { "FastScore.Streams.Engine" }));
            Assert.That(logs.Where(l => l.Id.Name == "EngineStateChanged").Select(l => l.Message),
                Is.EqualTo(new[] { "Engine state Init -> Running", "Engine state Running -> Finishing", "Engine state Finishing -> Finished" }));
            Assert.That(logs.Single(l => l.Id.Name == "RecordRejected").Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(logs.Single(l => l.Id.Name == "RecordRejected").Message, Does.Contain("slot 0 record 2"));
            Assert.That(logs.Single(l => l.Id.Name == "ModelError").Level, Is.EqualTo(LogLevel.Error));
            Assert.That(logs.Single(l => l.Id.Name == "ModelError").Message, Does.Contain("slot 0 record 3").And.Contains("cannot score boom"));
            Assert.That(logs.Count(l => l.Id.Name == "StreamAttached"), Is.EqualTo(2));
            Assert.That(logs.Count(l => l.Id.Name == "StreamAtEnd"), Is.EqualTo(1));
        });
    }
}
