using System.Diagnostics;
using System.Text.Json;
using FastScore.Samples.Iris;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary>The guide's curl command, unchanged but for the port, against the standalone server (curl from Debian; .ci/run installs it).</summary>
[Category("Integration")]
public sealed class CurlTests
{
    [Test]
    public async Task The_guides_curl_command_gets_the_iris_scores_through_the_proxy_path_with_basic_authentication()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new IrisModel(), o =>
        {
            o.Rest.UserName = "fastscore";
            o.Rest.Password = "fastscore";
        });
        string dir = Directory.CreateTempSubdirectory("fss-curl-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "xgboost_iris_single.json"), IrisSampleData.ReadAllText(IrisSampleData.GuideSingleInput));
            string url = $"http://127.0.0.1:{rest.Server.BaseAddress.Port}/api/1/service/engine-1/2/active/model/roundtrip/0/1";
            (int exit, string output) = await CurlAsync(dir, "-s", "-u", "fastscore:fastscore", "-H", "Content-Type: application/json", "--data-binary", "@xgboost_iris_single.json", url);
            (int _, string anonymous) = await CurlAsync(dir, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json", "--data-binary", "@xgboost_iris_single.json", url);
            using JsonDocument scores = JsonDocument.Parse(output);
            Assert.Multiple(() =>
            {
                Assert.That(exit, Is.Zero);
                Assert.That(scores.RootElement.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "A", "B", "C" }));
                Assert.That(scores.RootElement.GetProperty("C").GetDouble(), Is.GreaterThan(0.9));
                Assert.That(anonymous, Is.EqualTo("401"));
            });
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static async Task<(int Exit, string Output)> CurlAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("curl") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process curl = Process.Start(start)!;
        Task<string> output = curl.StandardOutput.ReadToEndAsync();
        Task<string> error = curl.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await curl.WaitForExitAsync(timeout.Token);
        return (curl.ExitCode, await output + await error);
    }
}
