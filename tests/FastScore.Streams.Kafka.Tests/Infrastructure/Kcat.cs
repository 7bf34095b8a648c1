using System.Diagnostics;

namespace FastScore.Streams.Kafka.Tests.Infrastructure;

/// <summary>
/// Runs Debian's <c>kcat</c> (a librdkafka build other than the .NET client's) as a child process, for
/// interoperability tests. A missing kcat fails the test: <c>.ci/run</c> installs it (<c>apt-get install kcat</c>).
/// </summary>
public static class Kcat
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    /// <summary>Gets the full path of kcat, or fails the current test with instructions when it is not on PATH.</summary>
    public static string Executable()
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "kcat"))
            .FirstOrDefault(File.Exists);
        if (found is null)
        {
            Assert.Fail("kcat is not on PATH. Install Debian's kcat (`sudo apt-get install kcat`); .ci/run installs it for CI.");
        }

        return found!;
    }

    /// <summary>Runs kcat with <paramref name="arguments"/>, writes <paramref name="input"/> to its stdin and returns its stdout; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, string? input = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Executable())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start kcat.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;
            var errors = await stderr;
            if (process.ExitCode != 0)
            {
                Assert.Fail($"kcat {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {errors}");
            }

            return output;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill();
            throw new TimeoutException($"kcat {string.Join(' ', start.ArgumentList)} did not finish within {s_timeout.TotalSeconds} s.");
        }
    }
}
