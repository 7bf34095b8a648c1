using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace FastScore.Cli.Commands;

/// <summary>
/// FastScore's engine control verbs against a running engine (<c>fastscore serve</c>, or FastScore through its proxy):
/// <c>engine pause|unpause|reset</c> (<c>POST /2/engine/{action}</c>), <c>stream attach STREAM SLOT</c>
/// (<c>PUT /2/active/stream/{slot}</c>), <c>stream detach SLOT</c> (<c>DELETE /2/active/stream/{slot}</c>) and
/// <c>stream inspect [SLOT]</c> (<c>GET /2/active/stream</c>: Slot, Name, Transport, EOF).
/// </summary>
internal static class EngineControlCommands
{
    private static readonly string[] s_inspectHeader = ["Slot", "Name", "Transport", "EOF"];

    /// <summary>Adds <c>pause</c>, <c>unpause</c> and <c>reset</c> to the <c>engine</c> command.</summary>
    public static void AddEngineVerbs(Command engine, CliIo io)
    {
        foreach ((string action, string description) in (ReadOnlySpan<(string, string)>)[
            ("pause", "Pause the engine: it stops reading its inputs (POST /2/engine/pause)."),
            ("unpause", "Resume a paused engine (POST /2/engine/unpause)."),
            ("reset", "Reset the engine: unload the model and detach every stream (POST /2/engine/reset).")])
        {
            var connection = new ModelDataCommands.ConnectionOptions();
            var command = new Command(action, description);
            connection.AddTo(command);
            command.SetAction((parse, ct) => connection.Connect(parse, io) is { } client ? ControlAsync(io, client, action, ct) : Task.FromResult(2));
            engine.Subcommands.Add(command);
        }
    }

    /// <summary>Adds <c>attach</c>, <c>detach</c> and <c>inspect</c> to the <c>stream</c> command.</summary>
    public static void AddStreamVerbs(Command stream, CliIo io)
    {
        var attachStream = new Argument<string>("stream") { Description = "A descriptor file, descriptor JSON or a literal (e.g. rest:, file:/data/in.jsons)." };
        var attachSlot = new Argument<int>("slot") { Description = "The slot: even for inputs, odd for outputs." };
        var attachConnection = new ModelDataCommands.ConnectionOptions();
        var attach = new Command("attach", "Attach a stream to a slot of the running engine (PUT /2/active/stream/{slot}).") { attachStream, attachSlot };
        attachConnection.AddTo(attach);
        attach.SetAction((parse, ct) => attachConnection.Connect(parse, io) is { } client
            ? AttachAsync(io, client, parse.GetValue(attachStream)!, parse.GetValue(attachSlot), ct)
            : Task.FromResult(2));
        stream.Subcommands.Add(attach);

        var detachSlot = new Argument<int>("slot") { Description = "The slot to free." };
        var detachConnection = new ModelDataCommands.ConnectionOptions();
        var detach = new Command("detach", "Detach the stream of a slot of the running engine (DELETE /2/active/stream/{slot}).") { detachSlot };
        detachConnection.AddTo(detach);
        detach.SetAction((parse, ct) => detachConnection.Connect(parse, io) is { } client
            ? SendAsync(io, client, HttpMethod.Delete, $"2/active/stream/{parse.GetValue(detachSlot)}", null, $"slot {parse.GetValue(detachSlot)}: detached", ct)
            : Task.FromResult(2));
        stream.Subcommands.Add(detach);

        var inspectSlot = new Argument<int?>("slot") { Description = "One slot (default: every slot).", Arity = ArgumentArity.ZeroOrOne };
        var inspectConnection = new ModelDataCommands.ConnectionOptions();
        var inspect = new Command("inspect", "List the running engine's streams: slot, name, transport, end of stream (GET /2/active/stream).") { inspectSlot };
        inspectConnection.AddTo(inspect);
        inspect.SetAction((parse, ct) => inspectConnection.Connect(parse, io) is { } client
            ? InspectAsync(io, client, parse.GetValue(inspectSlot), ct)
            : Task.FromResult(2));
        stream.Subcommands.Add(inspect);
    }

    private static Task<int> ControlAsync(CliIo io, HttpClient client, string action, CancellationToken cancellationToken) =>
        SendAsync(io, client, HttpMethod.Post, $"2/engine/{action}", null, action switch
        {
            "pause" => "engine: paused",
            "unpause" => "engine: unpaused",
            _ => "engine: reset",
        }, cancellationToken);

    private static Task<int> AttachAsync(CliIo io, HttpClient client, string stream, int slot, CancellationToken cancellationToken) =>
        DescriptorJson(io, stream) is { } text
            ? SendAsync(io, client, HttpMethod.Put, $"2/active/stream/{slot}", text, $"slot {slot}: attached", cancellationToken)
            : Task.FromResult(1);

    /// <summary>
    /// The descriptor JSON a stream argument stands for, as an engine reads it: a library name's or a file's JSON, JSON
    /// as given, a literal expanded; null after printing why not.
    /// </summary>
    internal static string? DescriptorJson(CliIo io, string stream)
    {
        try
        {
            string resolved = CliLibrary.For(io).ResolveStream(stream); // a library name stands for its descriptor
            return File.Exists(resolved) ? File.ReadAllText(resolved)
                : stream.TrimStart().StartsWith('{') ? stream
                : Streams.Descriptors.StreamLiteral.ExpandToJson(stream, CliStreams.DescriptorOptions(io, schemasDirectory: null));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            io.Error.WriteLine($"{stream}: {ex.Message}");
            return null;
        }
        catch (Streams.Descriptors.DescriptorException ex)
        {
            io.Error.WriteLine($"{stream}: invalid stream descriptor");
            foreach (Streams.Descriptors.DescriptorError e in ex.Errors)
            {
                io.Error.WriteLine($"  {e}");
            }

            return null;
        }
    }

    private static async Task<int> SendAsync(CliIo io, HttpClient client, HttpMethod method, string path, string? body, string done, CancellationToken cancellationToken)
    {
        using (client)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            try
            {
                using HttpResponseMessage response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    io.Error.WriteLine(await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false));
                    return 1;
                }
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve <model> <stream0> <stream1>).");
                return 1;
            }

            io.Out.WriteLine(done);
            return 0;
        }
    }

    private static async Task<int> InspectAsync(CliIo io, HttpClient client, int? slot, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                using HttpResponseMessage response = await client.GetAsync(slot is { } one ? $"2/active/stream/{one}" : "2/active/stream", cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    io.Error.WriteLine(await EngineAnswers.DescribeAsync(response, cancellationToken).ConfigureAwait(false));
                    return 1;
                }

                JsonNode? answer = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken).ConfigureAwait(false);
                JsonNode?[] slots = answer is JsonArray array ? [.. array] : [answer];
                var rows = new List<string[]> { s_inspectHeader };
                foreach (JsonNode? s in slots)
                {
                    if (s is null)
                    {
                        continue;
                    }

                    rows.Add([
                        s["slot"]?.ToString() ?? "?",
                        Streams.Diagnostics.SafeText.MaskSecrets(s["name"]?.ToString() ?? ""),
                        s["transport"]?.ToString() ?? "",
                        s["eof"] is JsonValue eof && eof.TryGetValue(out bool ended) && ended ? "yes" : "no"]);
                }

                int[] widths = [.. Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length))];
                foreach (string[] row in rows)
                {
                    io.Out.WriteLine(string.Join("  ", row.Select((cell, c) => c == 3 ? cell : cell.PadRight(widths[c]))).TrimEnd());
                }

                return 0;
            }
            catch (HttpRequestException ex)
            {
                io.Error.WriteLine($"Cannot reach the engine at {client.BaseAddress}: {ex.Message} (start one with: fastscore serve <model> <stream0> <stream1>).");
                return 1;
            }
            catch (System.Text.Json.JsonException)
            {
                io.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{client.BaseAddress}2/active/stream did not answer JSON."));
                return 1;
            }
        }
    }
}
