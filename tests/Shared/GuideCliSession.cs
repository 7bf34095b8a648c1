using System.Net;
using System.Net.Sockets;
using System.Text;
using FastScore.Cli;
using NUnit.Framework;

namespace FastScore.Streams.Tests.Common;

/// <summary>
/// What the guide's command-for-command tests share (docs/guide.md, parts 2 and 3): running <c>fastscore</c> in
/// process with its own environment, an engine started with <c>fastscore serve</c>, and the repository's files.
/// Compiled into each test project that replays a part of the guide (linked, not referenced: it needs the CLI).
/// </summary>
internal static class GuideCliSession
{
    /// <summary>The repository's root folder (where FastScore.Streams.sln is).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The FastScore examples the project keeps (descriptors and schemas).</summary>
    public static string Examples => Path.Combine(Root, "tests", "FastScore.Streams.Tests", "Fixtures", "fastscore-examples");

    /// <summary>The iris sample's data folder.</summary>
    public static string Data => Path.Combine(Root, "samples", "FastScore.Samples.Iris", "data");

    /// <summary>Runs one fastscore command and asserts it succeeded.</summary>
    public static async Task<(int Exit, string Out, string Err)> Fastscore(Dictionary<string, string> env, string? stdin, params string[] args)
    {
        var result = await RunAsync(env, stdin, CancellationToken.None, args);
        Assert.That(result.Exit, Is.EqualTo(0), $"fastscore {string.Join(' ', args)}: {result.Err}");
        return result;
    }

    /// <summary>Runs one fastscore command in process with <paramref name="env"/> over the process's variables.</summary>
    public static async Task<(int Exit, string Out, string Err)> RunAsync(Dictionary<string, string> env, string? stdin, CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? ""));
        int exit = await CliApp.RunAsync(args, new CliIo(stdout, stderr, input, Stream.Null, false,
            name => env.TryGetValue(name, out string? value) ? value : Environment.GetEnvironmentVariable(name)), cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Waits until the engine at <paramref name="url"/> answers; fails if <paramref name="serving"/> ends first.</summary>
    public static async Task WaitForEngineAsync(string url, Task<(int Exit, string Out, string Err)> serving)
    {
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (serving.IsCompleted)
            {
                Assert.Fail("serve exited early: " + (await serving).Err);
            }

            try
            {
                using HttpResponseMessage answer = await client.GetAsync("/2/engine/state", timeout.Token);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>A loopback TCP port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "FastScore.Streams.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("FastScore.Streams.sln not found above " + AppContext.BaseDirectory);
    }
}
