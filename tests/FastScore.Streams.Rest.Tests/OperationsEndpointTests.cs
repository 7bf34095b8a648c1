using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Issue 17 point 4: <c>/metrics</c> in Prometheus text format (scraped and parsed), <c>/healthz</c> and <c>/readyz</c>.</summary>
[NonParallelizable] // the scrape shows every engine of the process
public sealed partial class OperationsEndpointTests
{
    [Test]
    public async Task A_scrape_of_metrics_parses_and_counts_the_round_trips_and_the_rejected_record()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), attachRest: false);
        string input = "metrics-in-" + Guid.NewGuid().ToString("N")[..8];
        rest.Engine.Attach(0, RestTestEngine.Rest(), input);
        rest.Engine.Attach(1, RestTestEngine.Rest(), "metrics-out");
        await rest.WaitForStateAsync(EngineState.Running);
        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage ok = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody($$"""{"id":{{i}},"text":"a"}"""));
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using (HttpResponseMessage bad = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":"x"}""")))
        {
            Assert.That(bad.IsSuccessStatusCode, Is.False);
        }

        List<Sample> samples = [];
        string text = "";
        string contentType = "";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (Value(samples, "messaging_client_consumed_messages_total", input) != 5)
        {
            await Task.Delay(100, timeout.Token); // the exporter may serve a cached scrape for a moment
            using HttpResponseMessage scrape = await rest.Client.GetAsync("/metrics", timeout.Token);
            Assert.That(scrape.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            contentType = scrape.Content.Headers.ContentType?.ToString() ?? "";
            text = await scrape.Content.ReadAsStringAsync(timeout.Token);
            samples = Parse(text);
        }

        Assert.Multiple(() =>
        {
            Assert.That(contentType, Does.StartWith("text/plain"));
            Assert.That(text, Does.Contain("# TYPE messaging_client_consumed_messages_total counter"));
            Assert.That(Value(samples, "fastscore_stream_rejected_total", input, ("reason", "encoding")) + Value(samples, "fastscore_stream_rejected_total", input, ("reason", "schema")), Is.EqualTo(1));
            Assert.That(samples.Single(s => s.Name == "messaging_client_consumed_messages_total" && s.Labels["stream"] == input).Labels,
                Does.ContainKey("messaging_system").WithValue("rest").And.ContainKey("slot").WithValue("0"));
            Assert.That(Value(samples, "fastscore_engine_batch_size_count", input), Is.GreaterThanOrEqualTo(1));
            Assert.That(Value(samples, "fastscore_engine_batch_size_sum", input), Is.EqualTo(5), "five records were scored, in batches");
            Assert.That(samples.Any(s => s.Name == "fastscore_model_batch_duration_seconds_bucket" && s.Labels["stream"] == input && s.Labels["le"] == "+Inf"), Is.True);
            Assert.That(samples.Where(s => s.Name == "fastscore_engine_state" && s.Labels["fastscore_engine_state"] == "running").Select(s => s.Value), Has.Some.EqualTo(1));
        });
    }

    [Test]
    public async Task Healthz_and_readyz_follow_the_engine_and_metrics_takes_the_APIs_key()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), options => options.Rest.ApiKey = "k3y");
        using var anonymous = new HttpClient { BaseAddress = rest.Server.BaseAddress };
        using HttpResponseMessage health = await anonymous.GetAsync("/healthz");
        using HttpResponseMessage ready = await anonymous.GetAsync("/readyz");
        using HttpResponseMessage refused = await anonymous.GetAsync("/metrics");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-API-Key", "k3y");
        using HttpResponseMessage scraped = await anonymous.SendAsync(request);
        await rest.Engine.StopAsync();
        using HttpResponseMessage notReady = await anonymous.GetAsync("/readyz");
        using HttpResponseMessage stillHealthy = await anonymous.GetAsync("/healthz");

        Assert.Multiple(async () =>
        {
            Assert.That((health.StatusCode, await health.Content.ReadAsStringAsync()), Is.EqualTo((HttpStatusCode.OK, "RUNNING\n")));
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(scraped.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((notReady.StatusCode, await notReady.Content.ReadAsStringAsync()), Is.EqualTo((HttpStatusCode.ServiceUnavailable, "FINISHED\n")));
            Assert.That(stillHealthy.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a finished engine is not broken");
        });
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static double Value(List<Sample> samples, string name, string stream, params (string Key, string Value)[] labels) =>
        samples.Where(s => s.Name == name && s.Labels.TryGetValue("stream", out string? v) && v == stream && labels.All(l => s.Labels.TryGetValue(l.Key, out string? x) && x == l.Value))
            .Select(s => s.Value).DefaultIfEmpty(-1).Sum();

    /// <summary>Parses the Prometheus text exposition format (version 0.0.4): <c>name{label="value",...} value [timestamp]</c>.</summary>
    private static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            Match m = SampleLine().Match(line);
            Assert.That(m.Success, Is.True, $"not a Prometheus sample line: {line}");
            var labels = new Dictionary<string, string>();
            foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups["key"].Value] = Regex.Unescape(l.Groups["value"].Value);
            }

            string value = m.Groups["value"].Value;
            samples.Add(new Sample(m.Groups["name"].Value, labels,
                value switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN, _ => double.Parse(value, CultureInfo.InvariantCulture) }));
        }

        return samples;
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+-?\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?""")]
    private static partial Regex LabelPair();
}
