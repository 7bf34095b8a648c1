using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static FastScore.Cli.Tests.ServeSupport;

namespace FastScore.Cli.Tests;

/// <summary><c>fastscore serve</c> is closed by default: loopback or credentials, files under the data root only (issue 12, point 7).</summary>
[Category("Integration")]
public sealed class ServeSecurityTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-serve-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Serve_refuses_a_non_loopback_address_without_authentication_with_a_clear_message()
    {
        var (exit, _, err, _) = await CliRunner.RunAsync("serve", "echo", "rest:", "rest:", "--urls", "http://0.0.0.0:0");
        var (wildcardExit, _, wildcard, _) = await CliRunner.RunAsync("serve", "echo", "rest:", "rest:", "--urls", "http://127.0.0.1:0", "--urls", "http://*:0");
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Not.Zero);
            Assert.That(err, Does.Contain("Refusing to listen on http://0.0.0.0:0 without authentication"));
            Assert.That(err, Does.Contain("--api-key-file").And.Contain("FASTSCORE_API_KEY").And.Contain("--allow-anonymous"));
            Assert.That(err, Does.Not.Contain("Serving echo"));
            Assert.That(wildcardExit, Is.Not.Zero);
            Assert.That(wildcard, Does.Contain("Refusing to listen on http://*:0 without authentication"));
        });
    }

    [Test]
    public async Task Serve_listens_on_every_interface_with_credentials_or_with_allow_anonymous()
    {
        string keyFile = Path.Combine(_dir, "key");
        File.WriteAllText(keyFile, "k3y-from-file\n");
        foreach (string[] extra in (string[][])[["--api-key-file", keyFile], ["--allow-anonymous"]])
        {
            int port = FreePort();
            using var stop = new CancellationTokenSource();
            Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token,
                ["serve", "echo", "rest:", "rest:", "--urls", $"http://0.0.0.0:{port}", "-q", .. extra]);
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Add("X-API-Key", "k3y-from-file");
            await WaitRunningAsync(client, serving);
            await stop.CancelAsync();
            var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(exit, Is.Zero, err);
        }
    }

    [Test]
    public async Task A_key_from_the_FASTSCORE_API_KEY_environment_variable_protects_a_serve_child_process()
    {
        int port = FreePort();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
            Environment = { ["FASTSCORE_API_KEY"] = "env-k3y" },
        };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "fastscore.dll"), "serve", "echo", "rest:", "rest:", "--urls", $"http://127.0.0.1:{port}", "-q"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process serve = Process.Start(start)!;
        Task<string> stderr = serve.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Add("X-API-Key", "env-k3y");
            await WaitRunningAsync(client, serve.WaitForExitAsync());
            using var anonymous = new HttpClient { BaseAddress = client.BaseAddress };
            using HttpResponseMessage refused = await anonymous.PostAsync("/2/active/model/roundtrip/0/1", new StringContent("{\"a\":1}", Encoding.UTF8, "application/json"));
            using var bearer = new HttpRequestMessage(HttpMethod.Post, "/2/active/model/roundtrip/0/1") { Content = new StringContent("{\"a\":1}", Encoding.UTF8, "application/json") };
            bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "env-k3y");
            using HttpResponseMessage accepted = await anonymous.SendAsync(bearer);
            string commandLine = File.Exists($"/proc/{serve.Id}/cmdline") ? File.ReadAllText($"/proc/{serve.Id}/cmdline") : string.Join(' ', start.ArgumentList);
            Assert.Multiple(async () =>
            {
                Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(await accepted.Content.ReadAsStringAsync(), Is.EqualTo("{\"a\":1}"));
                Assert.That(commandLine, Does.Not.Contain("env-k3y"), "the key is not in the process list");
            });
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            await serve.WaitForExitAsync();
            await stderr;
        }
    }

    [Test]
    public async Task Credentials_from_files_work_for_serve_and_for_the_clients()
    {
        string keyFile = Path.Combine(_dir, "api-key");
        string userFile = Path.Combine(_dir, "user");
        File.WriteAllText(keyFile, "file-k3y\r\n");
        File.WriteAllText(userFile, "fastscore:pa55word\n");
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token,
            "serve", "echo", "rest:", "rest:", "--urls", url, "--api-key-file", keyFile, "--user-file", userFile, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("fastscore:pa55word")));
        await WaitRunningAsync(client, serving);
        var (withKey, keyOut, keyErr, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url, "--api-key-file", keyFile);
        var (withUser, _, userErr, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url, "--user-file", userFile);
        var (without, _, withoutErr, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url);
        var (both, _, bothErr, _) = await CliRunner.RunAsync("engine", "inspect", "--url", url, "--api-key", "x", "--api-key-file", keyFile);
        await stop.CancelAsync();
        var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Multiple(() =>
        {
            Assert.That(withKey, Is.Zero, keyErr);
            Assert.That(keyOut, Does.StartWith("engine: RUNNING"));
            Assert.That(withUser, Is.Zero, userErr);
            Assert.That(without, Is.EqualTo(1));
            Assert.That(withoutErr, Does.Contain("401 Unauthorized").And.Contain("give -u user:password"), "a 401 says how to give credentials");
            Assert.That(both, Is.EqualTo(2));
            Assert.That(bothErr, Does.Contain("Give --api-key or --api-key-file, not both."));
            Assert.That(exit, Is.Zero, err);
            Assert.That(err, Does.Not.Contain("Warning"), "no credential was given on the command line");
        });
    }

    [Test]
    public async Task The_command_line_beats_the_environment_and_conflicting_sources_are_errors()
    {
        string keyFile = Path.Combine(_dir, "key");
        File.WriteAllText(keyFile, "from-file");
        var environment = new Dictionary<string, string> { ["FASTSCORE_API_KEY"] = "from-env" };
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";
        using var stop = new CancellationTokenSource();
        Task<(int Exit, string Out, string Err, string Console)> serving = RunAsync(environment, stop.Token,
            "serve", "echo", "rest:", "rest:", "--urls", url, "--api-key-file", keyFile, "-q");
        using var client = new HttpClient { BaseAddress = new Uri(url) };
        client.DefaultRequestHeaders.Add("X-API-Key", "from-file");
        await WaitRunningAsync(client, serving);
        var (envClient, _, envClientErr, _) = await RunAsync(new Dictionary<string, string> { ["FASTSCORE_API_KEY"] = "from-file" }, CancellationToken.None, "engine", "inspect", "--url", url);
        var (wrongEnv, _, _, _) = await RunAsync(environment, CancellationToken.None, "engine", "inspect", "--url", url);
        var (fileEnv, _, fileEnvErr, _) = await RunAsync(new Dictionary<string, string> { ["FASTSCORE_API_KEY_FILE"] = keyFile }, CancellationToken.None, "engine", "inspect", "--url", url);
        var (conflict, _, conflictErr, _) = await RunAsync(new Dictionary<string, string> { ["FASTSCORE_API_KEY"] = "a", ["FASTSCORE_API_KEY_FILE"] = keyFile },
            CancellationToken.None, "engine", "inspect", "--url", url);
        var (missing, _, missingErr, _) = await RunAsync(environment, CancellationToken.None, "engine", "inspect", "--url", url, "--api-key-file", Path.Combine(_dir, "nope"));
        await stop.CancelAsync();
        var (exit, _, err, _) = await serving.WaitAsync(TimeSpan.FromSeconds(30));
        var (onCommandLine, _, warning, _) = await CliRunner.RunAsync("serve", "echo", "rest:", "rest:", "--urls", "http://127.0.0.1:0", "--api-key", "visible", "--assembly", Path.Combine(_dir, "none.dll"));
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, err);
            Assert.That(envClient, Is.Zero, envClientErr);
            Assert.That(wrongEnv, Is.EqualTo(1), "the server took the key from --api-key-file, not from FASTSCORE_API_KEY");
            Assert.That(fileEnv, Is.Zero, fileEnvErr);
            Assert.That(conflict, Is.EqualTo(2));
            Assert.That(conflictErr, Does.Contain("Set FASTSCORE_API_KEY or FASTSCORE_API_KEY_FILE, not both."));
            Assert.That(missing, Is.EqualTo(2));
            Assert.That(missingErr, Does.Contain("--api-key-file: cannot read"));
            Assert.That(warning, Does.Contain("Warning: --api-key on the command line is visible to other users of this machine (ps); prefer --api-key-file or FASTSCORE_API_KEY."));
        });
    }

    [Test]
    public async Task With_default_options_the_API_reads_and_writes_only_under_the_working_directory_or_the_data_root()
    {
        string inside = Path.Combine(_dir, "in.jsons");
        File.WriteAllText(inside, "{\"a\":1}\n");
        string outside = Path.Combine(Path.GetTempPath(), $"fastscore-outside-{Guid.NewGuid():N}.jsons");
        File.WriteAllText(outside, "\"outside-content\"\n");
        try
        {
            var answers = new List<(string What, HttpStatusCode Status, string Body)>();
            foreach (string[] extra in (string[][])[[], ["--data-root", _dir]])
            {
                int port = FreePort();
                using var stop = new CancellationTokenSource();
                Task<(int Exit, string Out, string Err, string Console)> serving = CliRunner.RunAsync(stop.Token,
                    ["serve", "echo", "rest:", "rest:", "--urls", $"http://127.0.0.1:{port}", "-q", .. extra]);
                using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
                await WaitRunningAsync(client, serving);
                foreach (string path in (string[])["/etc/hostname", outside, inside])
                {
                    using HttpResponseMessage sample = await client.PostAsync("/1/stream/sample", Descriptor(path));
                    answers.Add(($"{string.Join(' ', extra)} sample {path}", sample.StatusCode, await sample.Content.ReadAsStringAsync()));
                }

                using HttpResponseMessage write = await client.PutAsync("/2/active/stream/1", Descriptor(Path.Combine(Path.GetTempPath(), $"fastscore-written-{Guid.NewGuid():N}.jsons")));
                answers.Add(($"{string.Join(' ', extra)} write", write.StatusCode, await write.Content.ReadAsStringAsync()));
                await stop.CancelAsync();
                await serving.WaitAsync(TimeSpan.FromSeconds(30));
            }

            string cwd = Environment.CurrentDirectory;
            Assert.Multiple(() =>
            {
                // default data root (the working directory): /etc/hostname, a temp file, the temp folder and a write all refused;
                // --data-root: only the file under it may be read
                Assert.That(answers.Select(a => a.Status), Is.EqualTo(new[]
                {
                    HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden,
                    HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Forbidden,
                }), string.Join(Environment.NewLine, answers));
                Assert.That(answers[0].Body, Does.Contain("is outside the data root " + cwd), "the default data root is the working directory");
                Assert.That(answers.Select(a => a.Body), Has.None.Contains("outside-content"));
            });
        }
        finally
        {
            File.Delete(outside);
        }

        static StringContent Descriptor(string path) =>
            new(JsonSerializer.Serialize(new { Transport = new { Type = "file", Path = path }, Envelope = "delimited", Encoding = "json" }), Encoding.UTF8, "application/json");
    }

    private static async Task<(int Exit, string Out, string Err, string Console)> RunAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var io = new CliIo(stdout, stderr, Stream.Null, new MemoryStream(), IsTerminal: false, name => environment.GetValueOrDefault(name));
        int exit = await CliApp.RunAsync(args, io, cancellationToken);
        return (exit, stdout.ToString(), stderr.ToString(), "");
    }
}
