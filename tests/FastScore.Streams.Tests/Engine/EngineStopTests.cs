using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>
/// A graceful stop is bounded: past LingerTime + <see cref="EngineOptions.StopTimeout"/> it is abandoned (fake time; the
/// real thing, with a Kafka broker that cannot be reached, is in FastScore.Streams.Kafka.Tests' StopAndDeliveryTests).
/// </summary>
public sealed class EngineStopTests : EngineTestBase
{
    [Test]
    public async Task A_stop_that_cannot_drain_is_abandoned_after_LingerTime_plus_StopTimeout()
    {
        CountingInput input = Transports.Add("in", new CountingInput(total: 1_000_000, perRead: 1000));
        CollectingOutput output = Output("out", blocked: true); // a sink that never takes anything
        ScoringEngine engine = NewEngine(new EngineOptions { TimeProvider = Time, StopTimeout = TimeSpan.FromSeconds(20) });
        engine.LoadModel(new Identity<string>());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out", lingerTime: 3000));
        await output.FirstWrite.WaitAsync(TimeSpan.FromSeconds(30));
        // More than the output's buffers hold (its channel and a pending batch: about 6,000): scoring waits for room.
        await Until(() => input.Served >= 10_000, "the pipeline is full");

        Task<EngineState> stopping = engine.StopAsync();
        Time.Advance(TimeSpan.FromSeconds(22.9));
        await Task.Delay(200);
        bool stoppedEarly = stopping.IsCompleted;
        Time.Advance(TimeSpan.FromSeconds(0.2));
        EngineState final = await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(stoppedEarly, Is.False, "the stop waits while it may still drain");
            Assert.That(final, Is.EqualTo(EngineState.Error));
            Assert.That(engine.Inspect().Error, Does.StartWith("The stop did not finish within 23 s (LingerTime 3000 ms + StopTimeout 20 s) and was abandoned"));
            Assert.That(output.Records, Is.Empty);
            Assert.That(output.Disposed, Is.True, "the output was released (aborted)");
        });
    }

    [Test]
    public async Task A_stop_that_drains_in_time_finishes_and_its_deadline_never_fires()
    {
        ChannelInput input = Input("in").Write("a", "b", "c");
        CollectingOutput output = Output("out");
        ScoringEngine engine = NewEngine(new EngineOptions { TimeProvider = Time, StopTimeout = TimeSpan.FromSeconds(1) });
        engine.LoadModel(new Identity<string>());
        engine.Attach(0, Test("in"));
        engine.Attach(1, Test("out"));
        await Until(() => output.Count == 3, "three records written");

        EngineState final = await engine.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Time.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(100);

        Assert.Multiple(() =>
        {
            Assert.That(final, Is.EqualTo(EngineState.Finished));
            Assert.That(engine.State, Is.EqualTo(EngineState.Finished));
            Assert.That(engine.Inspect().Error, Is.Null);
            Assert.That(output.Completed, Is.True);
            Assert.That(input.Acknowledged, Is.EqualTo(3));
        });
    }

    [Test]
    public void StopTimeout_defaults_to_20_seconds_so_that_a_stop_fits_in_a_30_second_grace_period() =>
        Assert.That(new EngineOptions().StopTimeout, Is.EqualTo(TimeSpan.FromSeconds(20)));

    [Test]
    public void StopTimeout_is_zero_or_more_or_infinite()
    {
        var options = new EngineOptions { StopTimeout = Timeout.InfiniteTimeSpan };
        Assert.Multiple(() =>
        {
            Assert.That(options.StopTimeout, Is.EqualTo(Timeout.InfiniteTimeSpan));
            Assert.That(() => options.StopTimeout = TimeSpan.FromSeconds(-2), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => options.StopTimeout = TimeSpan.Zero, Throws.Nothing);
        });
    }
}
