using System.Net;
using System.Text.Json;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary>Descriptors received over the API touch only files under the data root (issue 12, point 7).</summary>
[Category("Integration")]
public sealed class DataRootTests
{
    private string _root = null!;
    private string _outside = null!;
    private string _secret = null!;

    [SetUp]
    public void CreateFolders()
    {
        _root = Directory.CreateTempSubdirectory("fss-root-").FullName;
        _outside = Directory.CreateTempSubdirectory("fss-outside-").FullName;
        _secret = Path.Combine(_outside, "hostname");
        File.WriteAllText(_secret, "\"outside-secret-content\"\n");
        File.WriteAllText(Path.Combine(_root, "inside.jsons"), "\"inside\"\n");
    }

    [TearDown]
    public void DeleteFolders()
    {
        Directory.Delete(_root, true);
        Directory.Delete(_outside, true);
    }

    [Test]
    public async Task Sampling_a_file_outside_the_data_root_is_refused_with_403_directly_through_dotdot_and_through_symlinks()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "link-to-file"), _secret);
        Directory.CreateSymbolicLink(Path.Combine(_root, "link-to-dir"), _outside);
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null, o => o.Rest.DataRoot = _root);
        string[] outside =
        [
            _secret,
            Path.Combine(_root, "..", Path.GetFileName(_outside), "hostname"),
            Path.Combine(_root, "sub", "..", "..", Path.GetFileName(_outside), "hostname"),
            Path.Combine(_root, "link-to-file"),
            Path.Combine(_root, "link-to-dir", "hostname"),
            // '..' after a link: the operating system goes up from the link's target (outside/..), .NET from the link
            // (root/link/.. = root); a path is allowed only when both readings stay under the root
            Path.Combine(_root, "link-to-dir", "..", Path.GetFileName(_outside), "hostname"),
            "/etc/hostname",
        ];
        var answers = new List<(string Path, HttpStatusCode Status, string Body)>();
        foreach (string path in outside)
        {
            using HttpResponseMessage response = await rest.Client.PostAsync("/1/stream/sample", RestTestEngine.JsonBody(FileDescriptor(path)));
            answers.Add((path, response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        using HttpResponseMessage inside = await rest.Client.PostAsync("/1/stream/sample", RestTestEngine.JsonBody(FileDescriptor(Path.Combine(_root, "sub", "..", "inside.jsons"))));
        string[] records = JsonSerializer.Deserialize<string[]>(await inside.Content.ReadAsStringAsync())!;
        Assert.Multiple(() =>
        {
            foreach ((string path, HttpStatusCode status, string body) in answers)
            {
                Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), path);
                Assert.That(body, Does.Contain("is outside the data root " + _root), path);
                Assert.That(body, Does.Not.Contain("outside-secret-content"), path);
            }

            Assert.That(answers[3].Body, Does.Contain($"(it resolves to {_secret})"), "the reason names where a link leads");
            Assert.That(inside.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(records.Select(r => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(r))), Is.EqualTo(new[] { "\"inside\"" }));
        });
    }

    [Test]
    public async Task Attaching_an_output_outside_the_data_root_is_refused_with_403_and_nothing_is_written()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link-to-dir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "dangling.jsons"), Path.Combine(_outside, "created-through-link.jsons"));
        await using RestTestEngine rest = await RestTestEngine.StartAsync(new ItemModel(), o => o.Rest.DataRoot = _root, attachRest: false);
        string[] outside =
        [
            Path.Combine(_outside, "direct.jsons"),
            Path.Combine(_root, "..", Path.GetFileName(_outside), "dotdot.jsons"),
            Path.Combine(_root, "link-to-dir", "through-dir-link.jsons"),
            Path.Combine(_root, "dangling.jsons"),
            Path.Combine(_root, "new-folder", "..", "..", Path.GetFileName(_outside), "new-folder.jsons"),
        ];
        var answers = new List<(string Path, HttpStatusCode Status, string Body)>();
        foreach (string path in outside)
        {
            foreach (string endpoint in (string[])["/2/active/stream/1", "/1/job/stream/out", "/2/active/stream/1?dry-run=true"])
            {
                using HttpResponseMessage response = await rest.Client.PutAsync(endpoint, RestTestEngine.JsonBody(FileDescriptor(path)));
                answers.Add(($"{endpoint} {path}", response.StatusCode, await response.Content.ReadAsStringAsync()));
            }
        }

        using HttpResponseMessage input = await rest.Client.PutAsync("/2/active/stream/0", RestTestEngine.JsonBody("""{"Transport": "REST", "Encoding": "json"}"""));
        string insidePath = Path.Combine(_root, "scores", "out.jsons");
        using HttpResponseMessage insideOutput = await rest.Client.PutAsync("/2/active/stream/1", RestTestEngine.JsonBody(FileDescriptor(insidePath)));
        await rest.WaitForStateAsync(EngineState.Running);
        using HttpResponseMessage scored = await rest.Client.PostAsync("/2/active/model/roundtrip/0/1", RestTestEngine.JsonBody("""{"id":1,"text":"a"}"""));
        Assert.Multiple(() =>
        {
            foreach ((string what, HttpStatusCode status, string body) in answers)
            {
                Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), what);
                Assert.That(body, Does.Contain("is outside the data root"), what);
            }

            Assert.That(Directory.EnumerateFileSystemEntries(_outside).Select(Path.GetFileName), Is.EqualTo(new[] { "hostname" }), "nothing was created outside the root");
            Assert.That(Directory.Exists(Path.Combine(_root, "new-folder")), Is.False);
            Assert.That(input.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(insideOutput.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "a file under the root may be written");
            Assert.That(rest.Engine.Inspect().Slots.Single(s => s.Slot == 1).Descriptor.Transport, Is.EqualTo(new Descriptors.FileTransportDescriptor { Path = insidePath }));
        });
    }

    [Test]
    public async Task Transports_that_run_programs_or_use_the_console_are_refused_unless_the_host_allows_them()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null, o => o.Rest.DataRoot = _root);
        await using RestTestEngine allowing = await RestTestEngine.StartAsync(null, o =>
        {
            o.Rest.DataRoot = _root;
            o.Rest.TransportAccess["console"] = ApiTransportAccess.Allowed;
            o.Rest.TransportAccess["file"] = ApiTransportAccess.ReadOnly;
        });
        var refused = new Dictionary<string, (HttpStatusCode, string)>();
        foreach ((string name, string descriptor) in ((string, string)[])[
                     ("console", """{"Transport": "console", "Envelope": "delimited", "Encoding": "json"}"""),
                     ("exec", """{"Transport": {"Type": "exec", "Run": "/bin/sh", "Args": ["-c", "id"]}, "Envelope": "delimited"}"""),
                     ("tcp", """{"Transport": {"Type": "TCP", "Host": "0.0.0.0", "Port": 9999}, "Envelope": "delimited"}"""),
                     ("kafka plugin", """{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t", "Config": {"plugin.library.paths": "/tmp/evil.so"}}}"""),
                     ("kafka location", """{"Transport": {"Type": "kafka", "BootstrapServers": ["k:9092"], "Topic": "t", "Config": {"ssl.ca.location": """ + JsonSerializer.Serialize(_secret) + "}}}"),
                     ("secret path", """{"Transport": {"Type": "S3", "Bucket": "bucket", "ObjectKey": "k", "SecretAccessKey": "x", "AccessKeyID": """ + JsonSerializer.Serialize("secret://" + _secret) + "}}"),
                 ])
        {
            using HttpResponseMessage response = await rest.Client.PutAsync("/2/active/stream/0?dry-run=true", RestTestEngine.JsonBody(descriptor));
            refused[name] = (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        using HttpResponseMessage consoleAllowed = await allowing.Client.PutAsync("/2/active/stream/1?dry-run=true", RestTestEngine.JsonBody("""{"Transport": "console", "Envelope": "delimited", "Encoding": "json"}"""));
        using HttpResponseMessage fileRead = await allowing.Client.PutAsync("/2/active/stream/0?dry-run=true", RestTestEngine.JsonBody(FileDescriptor(Path.Combine(_root, "inside.jsons"))));
        using HttpResponseMessage fileWrite = await allowing.Client.PutAsync("/2/active/stream/1?dry-run=true", RestTestEngine.JsonBody(FileDescriptor(Path.Combine(_root, "out.jsons"))));
        Assert.Multiple(async () =>
        {
            Assert.That(refused.Values.Select(v => v.Item1), Is.All.EqualTo(HttpStatusCode.Forbidden), string.Join(Environment.NewLine, refused.Select(r => $"{r.Key}: {r.Value.Item2}")));
            Assert.That(refused["console"].Item2, Does.StartWith("Transport 'console' is not allowed over the engine API"));
            Assert.That(refused["exec"].Item2, Does.Contain("fastscore serve --allow-transport exec"));
            Assert.That(refused["kafka plugin"].Item2, Does.StartWith("Transport.Config.plugin.library.paths: not allowed over the engine API"));
            Assert.That(refused["kafka location"].Item2, Does.StartWith("Transport.Config.ssl.ca.location: '" + _secret + "' is outside the data root"));
            Assert.That(refused["secret path"].Item2, Does.StartWith("Transport.AccessKeyID: '" + _secret + "' is outside the data root"));
            Assert.That(consoleAllowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await consoleAllowed.Content.ReadAsStringAsync());
            Assert.That(fileRead.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(fileWrite.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await fileWrite.Content.ReadAsStringAsync(), Is.EqualTo("Transport 'file' may only be read over the engine API, not written."));
        });
    }

    [Test]
    public void The_data_root_is_checked_on_path_segment_boundaries()
    {
        var policy = new Endpoints.ApiStreamPolicy(new FastScoreRestOptions { DataRoot = _root });
        string sibling = _root + "-sibling";
        Assert.Multiple(() =>
        {
            Assert.That(policy.CheckPath(Path.Combine(sibling, "x.jsons"), "Transport.Path"), Does.Contain("is outside the data root"), "a folder whose name starts with the root's is not under it");
            Assert.That(policy.CheckPath(_root, "Transport.Path"), Is.Null);
            Assert.That(policy.CheckPath(Path.Combine(_root, "a", "b", "c.jsons"), "Transport.Path"), Is.Null, "a path that does not exist yet, under the root");
            Assert.That(policy.CheckPath("relative.jsons", "Transport.Path"), Does.Contain("is not an absolute path"));
        });
    }

    private static string FileDescriptor(string path) =>
        JsonSerializer.Serialize(new { Transport = new { Type = "file", Path = path }, Envelope = "delimited", Encoding = "json" });
}
