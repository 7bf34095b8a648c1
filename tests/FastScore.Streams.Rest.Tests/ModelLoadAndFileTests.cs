using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest.Tests.Infrastructure;

namespace FastScore.Streams.Rest.Tests;

/// <summary><c>PUT /2/active/model</c> (a model by name, through the host's resolver) and <c>PUT /2/engine/file</c> (into the data root only).</summary>
[Category("Integration")]
public sealed class ModelLoadAndFileTests
{
    private string _root = null!;
    private string _outside = null!;

    [SetUp]
    public void CreateFolders()
    {
        _root = Directory.CreateTempSubdirectory("fss-put-root-").FullName;
        _outside = Directory.CreateTempSubdirectory("fss-put-outside-").FullName;
    }

    [TearDown]
    public void DeleteFolders()
    {
        Directory.Delete(_root, true);
        Directory.Delete(_outside, true);
    }

    private Task<RestTestEngine> StartAsync(bool upload = true) => RestTestEngine.StartAsync(null, o =>
    {
        o.Rest.DataRoot = _root;
        o.Rest.AllowFileUpload = upload;
        o.Rest.ModelResolver = name => name switch
        {
            "item" => new ItemModel(),
            "broken" => throw new ArgumentException("the model 'broken' cannot be created: its assembly is missing."),
            _ => null,
        };
    });

    [Test]
    public async Task A_model_is_loaded_by_name_then_streams_attached_start_the_engine()
    {
        await using RestTestEngine rest = await StartAsync();

        using HttpResponseMessage unknown = await rest.Client.PutAsync("/2/active/model", new StringContent("nobody"));
        using HttpResponseMessage broken = await rest.Client.PutAsync("/2/active/model", new StringContent("broken"));
        using HttpResponseMessage empty = await rest.Client.PutAsync("/2/active/model", new StringContent(""));
        var named = new ByteArrayContent([]);
        named.Headers.ContentDisposition = ContentDispositionHeaderValue.Parse("x-model; name=\"item\"");
        using HttpResponseMessage loaded = await rest.Client.PutAsync("/1/job/model", named);
        using HttpResponseMessage model = await rest.Client.GetAsync("/2/active/model");
        string modelJson = await model.Content.ReadAsStringAsync();
        EngineState before = rest.Engine.State;
        rest.Engine.Attach(0, RestTestEngine.Rest());
        rest.Engine.Attach(1, RestTestEngine.Rest());
        await rest.WaitForStateAsync(EngineState.Running);
        using HttpResponseMessage again = await rest.Client.PutAsync("/2/active/model", new StringContent("item"));

        Assert.Multiple(async () =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await unknown.Content.ReadAsStringAsync(), Is.EqualTo("No model named 'nobody' in this engine."));
            Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await broken.Content.ReadAsStringAsync(), Does.Contain("its assembly is missing"));
            Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(loaded.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await loaded.Content.ReadAsStringAsync());
            Assert.That(JsonNode.Parse(modelJson)!["name"]!.GetValue<string>(), Is.EqualTo("item"));
            Assert.That(before, Is.EqualTo(EngineState.Init), "no streams yet");
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a running engine does not swap models");
            Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain("Cannot load a model while the engine is"));
        });
    }

    [Test]
    public async Task An_engine_without_a_resolver_answers_501()
    {
        await using RestTestEngine rest = await RestTestEngine.StartAsync(null);
        using HttpResponseMessage response = await rest.Client.PutAsync("/2/active/model", new StringContent("item"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotImplemented));
    }

    [Test]
    public async Task A_file_is_put_under_the_data_root_never_outside_and_never_over_an_existing_one_without_force()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "link-out"), _outside);
        await using RestTestEngine rest = await StartAsync();
        byte[] data = Encoding.UTF8.GetBytes("{\"x\": 1}\n{\"x\": 2}\n");

        using HttpResponseMessage created = await rest.Client.PutAsync("/2/engine/file?path=data/in.jsons", new ByteArrayContent(data));
        string createdJson = await created.Content.ReadAsStringAsync();
        using HttpResponseMessage exists = await rest.Client.PutAsync("/2/engine/file?path=data/in.jsons", new ByteArrayContent([1]));
        string kept = await File.ReadAllTextAsync(Path.Combine(_root, "data", "in.jsons"));
        using HttpResponseMessage forced = await rest.Client.PutAsync($"/2/engine/file?path={Uri.EscapeDataString(Path.Combine(_root, "data", "in.jsons"))}&force=true", new ByteArrayContent("{}\n"u8.ToArray()));
        var escapes = new List<HttpResponseMessage>();
        foreach (string path in (string[])["../x.jsons", "data/../../x.jsons", Path.Combine(_outside, "x.jsons"), "link-out/x.jsons", "/etc/x.jsons"])
        {
            escapes.Add(await rest.Client.PutAsync($"/2/engine/file?path={Uri.EscapeDataString(path)}", new ByteArrayContent(data)));
        }

        using HttpResponseMessage noPath = await rest.Client.PutAsync("/2/engine/file", new ByteArrayContent(data));

        Assert.Multiple(async () =>
        {
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), createdJson);
            Assert.That(JsonNode.Parse(createdJson)!["path"]!.GetValue<string>(), Is.EqualTo(Path.Combine(_root, "data", "in.jsons")));
            Assert.That(JsonNode.Parse(createdJson)!["bytes"]!.GetValue<int>(), Is.EqualTo(data.Length));
            Assert.That(exists.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            Assert.That(kept, Is.EqualTo("{\"x\": 1}\n{\"x\": 2}\n"));
            Assert.That(forced.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(await File.ReadAllTextAsync(Path.Combine(_root, "data", "in.jsons")), Is.EqualTo("{}\n"));
            foreach (HttpResponseMessage escape in escapes)
            {
                Assert.That(escape.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), escape.RequestMessage!.RequestUri!.Query);
                Assert.That(await escape.Content.ReadAsStringAsync(), Does.Contain("outside the data root"));
            }

            Assert.That(Directory.GetFiles(_outside), Is.Empty);
            Assert.That(File.Exists(Path.Combine(Path.GetDirectoryName(_root)!, "x.jsons")), Is.False);
            Assert.That(noPath.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(Directory.GetFiles(Path.Combine(_root, "data")), Is.EqualTo(new[] { Path.Combine(_root, "data", "in.jsons") }), "no temporary file left");
        });
        foreach (HttpResponseMessage escape in escapes)
        {
            escape.Dispose();
        }
    }

    [Test]
    public async Task Files_are_refused_unless_the_host_allows_uploads()
    {
        await using RestTestEngine rest = await StartAsync(upload: false);
        using HttpResponseMessage response = await rest.Client.PutAsync("/2/engine/file?path=in.jsons", new ByteArrayContent([1]));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(File.Exists(Path.Combine(_root, "in.jsons")), Is.False);
        });
    }
}
