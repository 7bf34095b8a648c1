using FastScore.Streams.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FastScore.Streams.Tests.Engine;

public sealed class EngineHostingTests : EngineTestBase
{
    [Test]
    public async Task A_hosted_engine_runs_a_file_job_and_stops_the_application_when_it_finishes()
    {
        string input = WriteFile("in.jsons", "1", "2", "3");
        string output = PathOf("out.jsons");
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFastScoreStreams()
            .AddEngine<PlusOne>(slots => slots.Attach(0, $"file:{input}").Attach(1, $"file:{output}"));
        using IHost host = builder.Build();
        ScoringEngine engine = host.Services.GetRequiredService<ScoringEngine>();
        ScoringEngine keyed = host.Services.GetRequiredKeyedService<ScoringEngine>(nameof(PlusOne));

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(30)); // returns because the finished engine stops the application

        Assert.Multiple(() =>
        {
            Assert.That(engine.Completion.Result, Is.EqualTo(EngineState.Finished));
            Assert.That(Lines(output), Is.EqualTo(new[] { "2", "3", "4" }));
            Assert.That(engine.Inspect().ModelName, Is.EqualTo(nameof(PlusOne)));
            Assert.That(keyed, Is.SameAs(engine));
        });
    }

    [Test]
    public async Task Stopping_the_host_stops_the_engine_gracefully_and_nothing_read_is_lost()
    {
        ChannelInput input = Input("in");
        CollectingOutput output = Output("out");
        input.Watch = output;
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFastScoreStreams()
            .AddTransport(Transports)
            .AddEngine<Recorder>(slots => slots.Attach(0, Test("in")).Attach(1, Test("out")), o => o.StopApplicationWhenFinished = false);
        using IHost host = builder.Build();
        ScoringEngine engine = host.Services.GetRequiredService<ScoringEngine>();

        await host.StartAsync();
        input.Write([.. Enumerable.Range(1, 20).Select(i => $"m{i}")]);
        await Until(() => output.Count == 20, "the records are scored");
        Assert.That(engine.State, Is.EqualTo(EngineState.Running));
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(engine.State, Is.EqualTo(EngineState.Finished));
            Assert.That(output.Completed, Is.True);
            Assert.That(input.Acknowledged, Is.EqualTo(20));
        });
    }

    [Test]
    public async Task A_named_engine_attaches_named_streams_and_honours_its_options()
    {
        ChannelInput input = Input("in");
        CollectingOutput output = Output("out");
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFastScoreStreams()
            .AddTransport(Transports)
            .AddStream("scores-in", Test("in"))
            .AddStream("scores-out", Test("out"))
            .AddEngine<Recorder>("scorer", slots => slots.AttachNamed(0, "scores-in").AttachNamed(1, "scores-out"), o =>
            {
                o.Engine.AutoStart = false;
                o.Engine.OnModelError = ModelErrorPolicy.Skip;
                o.StopApplicationWhenFinished = false;
            });
        using IHost host = builder.Build();
        await host.StartAsync();
        ScoringEngine engine = host.Services.GetRequiredKeyedService<ScoringEngine>("scorer");

        input.Write("a").Complete();
        Assert.That(await Finished(engine), Is.EqualTo(EngineState.Finished));
        EngineInspection inspection = engine.Inspect();
        Assert.Multiple(() =>
        {
            Assert.That(inspection.ModelName, Is.EqualTo("scorer"));
            Assert.That(inspection.Slots.Select(s => s.StreamName), Is.EqualTo(new[] { "scores-in", "scores-out" }));
            Assert.That(output.Records, Is.EqualTo(new[] { "a" }));
        });
        await host.StopAsync();
    }

    [Test]
    public void Two_engines_cannot_share_a_name()
    {
        IFastScoreStreamsBuilder builder = new ServiceCollection().AddFastScoreStreams();
        builder.AddEngine<Recorder>("scorer", slots => { });
        Assert.That(() => builder.AddEngine<PlusOne>("scorer", slots => { }), Throws.ArgumentException.With.Message.Contains("'scorer'"));
    }

    [Test]
    public async Task A_hosted_engine_in_ERROR_stops_the_application_too()
    {
        Input("in").Write("boom");
        Output("out");
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddFastScoreStreams()
            .AddTransport(Transports)
            .AddEngine<Thrower>(slots => slots.Attach(0, Test("in")).Attach(1, Test("out")));
        builder.Services.AddSingleton(new Thrower("boom"));
        using IHost host = builder.Build();
        ScoringEngine engine = host.Services.GetRequiredService<ScoringEngine>();

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(engine.Completion.Result, Is.EqualTo(EngineState.Error));
            Assert.That(engine.Inspect().Error, Does.Contain("cannot score boom"));
        });
    }
}
