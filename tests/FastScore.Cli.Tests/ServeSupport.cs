using System.Net;
using System.Net.Sockets;

namespace FastScore.Cli.Tests;

/// <summary>What the tests that start <c>fastscore serve</c> share: a free port and waiting for an engine state.</summary>
internal static class ServeSupport
{
    /// <summary>A loopback TCP port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the engine behind <paramref name="client"/> reports RUNNING; fails if <paramref name="serving"/> ends first.</summary>
    public static Task WaitRunningAsync(HttpClient client, Task serving) => WaitForStateAsync(client, "running", serving);

    /// <summary>Waits until the engine at <paramref name="url"/> reports <paramref name="state"/>; fails if <paramref name="serving"/> ends first.</summary>
    public static async Task WaitForStateAsync(string url, string state, Task serving)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        await WaitForStateAsync(client, state, serving);
    }

    private static async Task WaitForStateAsync(HttpClient client, string state, Task serving)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (serving.IsCompleted)
            {
                await serving;
                Assert.Fail("serve exited early");
            }

            try
            {
                using HttpResponseMessage answer = await client.GetAsync("/2/engine/state", timeout.Token);
                if (await answer.Content.ReadAsStringAsync(timeout.Token) == $$"""{"state":"{{state}}"}""")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}
