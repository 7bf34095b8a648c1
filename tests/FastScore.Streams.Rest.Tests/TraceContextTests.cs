using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Issue 17 point 3: a round trip's W3C <c>traceparent</c> HTTP header is linked from the engine's batch span.</summary>
[NonParallelizable] // the ActivitySource is process-wide
public sealed class TraceContextTests
{
    [Test]
    public async Task The_batch_span_of_a_round_trip_links_to_the_callers_traceparent()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "FastScore.Streams",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), attachRest: false);
        string input = "traced-" + Guid.NewGuid().ToString("N")[..8];
        rest.Engine.Attach(0, RestTestEngine.Rest(), input);
        rest.Engine.Attach(1, RestTestEngine.Rest());
        await rest.WaitForStateAsync(EngineState.Running);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/2/active/model/roundtrip/0/1") { Content = RestTestEngine.JsonBody("""{"id":1,"text":"a"}""") };
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        using HttpResponseMessage response = await rest.Client.SendAsync(request);
        await RestTestEngine.WaitUntilAsync(() => spans.Any(s => s.DisplayName == "process " + input));

        Activity process = spans.First(s => s.DisplayName == "process " + input);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(process.Links.Select(l => (l.Context.TraceId.ToString(), l.Context.SpanId.ToString())),
                Is.EqualTo(new[] { ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7") }));
            Assert.That(process.GetTagItem("messaging.system"), Is.EqualTo("rest"));
        });
    }
}
