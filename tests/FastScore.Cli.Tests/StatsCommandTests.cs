using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace FastScore.Cli.Tests;

/// <summary>Issue 17 point 4: <c>fastscore stats</c> prints per-slot rates of a served engine.</summary>
[Category("Integration")]
public sealed class StatsCommandTests
{
    [Test]
    public async Task Stats_prints_a_line_per_slot_with_rates_and_totals()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token, "serve", "echo", "rest:", "rest:", "--urls", url, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                using HttpResponseMessage ready = await client.GetAsync("/readyz", wait.Token);
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                Assert.That(serving.IsCompleted, Is.False, "serve exited early");
            }

            await Task.Delay(50, wait.Token);
        }

        for (int i = 0; i < 7; i++)
        {
            using HttpResponseMessage r = await client.PostAsync("/2/active/model/roundtrip/0/1", new StringContent($$"""{"n":{{i}}}""", Encoding.UTF8, "application/json"));
            Assert.That(r.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CliApp.RunAsync(["stats", "--url", url, "--count", "2", "--interval", "0.2"], new CliIo(output, error, Stream.Null, Stream.Null, false), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await serving.WaitAsync(TimeSpan.FromSeconds(30));

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] slot0 = [.. lines.Where(l => Regex.IsMatch(l, @"^\s+0\s"))];
        string[] slot1 = [.. lines.Where(l => Regex.IsMatch(l, @"^\s+1\s"))];
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, error.ToString());
            Assert.That(lines.Count(l => l.Contains("engine RUNNING", StringComparison.Ordinal)), Is.EqualTo(2), "two samples");
            Assert.That(lines, Has.Some.Contains("records/s").And.Some.Contains("rejected/s"));
            Assert.That(slot0, Has.Length.EqualTo(2));
            Assert.That(slot0.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]), Is.All.EqualTo("7"), "total records read on slot 0");
            Assert.That(slot1.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]), Is.All.EqualTo("7"), "total records written on slot 1");
            Assert.That(slot0.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^4]), Is.All.EqualTo("0.0"), "nothing arrived while stats watched");
        });
    }
}
