using System.CommandLine;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest;
using FastScore.Streams.Rest.Hosting;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore serve &lt;model&gt; &lt;stream0&gt; &lt;stream1&gt; [slot=stream ...] [--urls http://127.0.0.1:8003]</c>: the same
/// arguments as <c>run</c>, but the engine's REST API is served (round trips, <c>/1/job/input</c>, <c>/1/job/output</c>,
/// streams, state) and the command keeps serving until Ctrl-C / SIGTERM, even after the inputs end.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:8003";

    public static Command Create(CliIo io)
    {
        var model = new Argument<string>("model") { Description = "A built-in model (iris, echo) or, with --assembly, your model's type name." };
        var streams = new Argument<string[]>("streams")
        {
            Description = "Slot 0's stream, slot 1's stream, then more slot=stream pairs. A stream is a descriptor file or a literal; rest: makes the slot a REST stream.",
            Arity = ArgumentArity.OneOrMore,
        };
        var urls = new Option<string[]>("--urls") { Description = $"Where to listen (default {DefaultUrl}; port 0 picks a free port). Use http://0.0.0.0:8003 to listen on every interface.", AllowMultipleArgumentsPerToken = true };
        var assembly = new Option<string?>("--assembly") { Description = "Load the model from this assembly (.dll)." };
        var type = new Option<string?>("--type") { Description = "The model's type name in --assembly (defaults to <model>)." };
        var schemas = new Option<string?>("--schemas") { Description = "A folder of name.avsc files that {\"$ref\": name} schemas resolve to." };
        var onError = new Option<ModelErrorPolicy>("--on-model-error") { Description = "What to do when the model throws: Skip (answer 500 and go on) or Stop (the engine ends in ERROR).", DefaultValueFactory = _ => ModelErrorPolicy.Skip };
        var user = new Option<string?>("--user", "-u") { Description = "Require HTTP basic authentication: user:password (the guide uses fastscore:fastscore)." };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this key in X-API-Key (or Authorization: Bearer)." };
        var certificate = new Option<string?>("--certificate") { Description = "A PKCS#12 (.pfx) certificate for https:// URLs." };
        var certificatePassword = new Option<string?>("--certificate-password") { Description = "The certificate's password." };
        var maxBody = new Option<long?>("--max-body-size") { Description = "The largest request body in bytes (default 8 MiB)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the summary at exit." };
        var command = new Command("serve", "Serve a model over FastScore's engine REST API (on-demand scoring with rest: streams) until Ctrl-C / SIGTERM.")
        {
            model, streams, urls, assembly, type, schemas, onError, user, apiKey, certificate, certificatePassword, maxBody, quiet,
        };
        command.SetAction((parse, ct) => ServeAsync(io, new Settings(
            parse.GetValue(model)!, parse.GetValue(streams)!, parse.GetValue(urls) ?? [], parse.GetValue(assembly), parse.GetValue(type),
            parse.GetValue(schemas), parse.GetValue(onError), parse.GetValue(user), parse.GetValue(apiKey), parse.GetValue(certificate),
            parse.GetValue(certificatePassword), parse.GetValue(maxBody), parse.GetValue(quiet)), ct));
        return command;
    }

    private static async Task<int> ServeAsync(CliIo io, Settings settings, CancellationToken cancellationToken)
    {
        IModel model;
        try
        {
            model = ModelLoader.Load(settings.Model, settings.Assembly, settings.Type);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or BadImageFormatException or TypeLoadException)
        {
            io.Error.WriteLine(ex.Message);
            return 2;
        }

        SortedDictionary<int, string>? slots = RunCommand.ParseSlots(settings.Streams, io.Error);
        if (slots is null)
        {
            return 2;
        }

        StreamDescriptorOptions descriptorOptions;
        try
        {
            descriptorOptions = CliStreams.DescriptorOptions(settings.Schemas);
        }
        catch (Exception ex) when (ex is StreamException or IOException)
        {
            io.Error.WriteLine(ex.Message);
            return 2;
        }

        var descriptors = new SortedDictionary<int, StreamDescriptor>();
        foreach ((int slot, string text) in slots)
        {
            try
            {
                descriptors[slot] = RestDescriptors.FromArgument(text, descriptorOptions);
            }
            catch (DescriptorException ex)
            {
                io.Error.WriteLine($"{text}: invalid stream descriptor");
                foreach (DescriptorError e in ex.Errors)
                {
                    io.Error.WriteLine($"  {e}");
                }

                return 1;
            }
        }

        var serverOptions = new FastScoreServerOptions
        {
            CertificatePath = settings.Certificate,
            CertificatePassword = settings.CertificatePassword,
            Rest = new FastScoreRestOptions { ApiKey = settings.ApiKey, DescriptorOptions = descriptorOptions },
        };
        if (settings.User is { } user)
        {
            int colon = user.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                io.Error.WriteLine("--user takes user:password (e.g. fastscore:fastscore).");
                return 2;
            }

            serverOptions.Rest.UserName = user[..colon];
            serverOptions.Rest.Password = user[(colon + 1)..];
        }

        if (settings.MaxBodySize is { } max)
        {
            serverOptions.Rest.MaxRequestBodySize = max;
        }

        if (settings.Urls.Length > 0)
        {
            serverOptions.Urls.Clear();
            foreach (string url in settings.Urls)
            {
                serverOptions.Urls.Add(url);
            }
        }

        var engineOptions = new EngineOptions
        {
            OnModelError = settings.OnModelError,
            ConsoleInput = io.StandardInput,
            ConsoleOutput = io.StandardOutput,
            SchemaLookup = descriptorOptions.SchemaLibrary is { } library ? name => library.TryGetSchemaJson(name, out string? json) ? json : null : null,
        };
        await using var engine = new ScoringEngine(CliStreams.CreateFactory(), engineOptions);
        FastScoreServer server;
        try
        {
            server = await FastScoreServer.StartAsync(engine, serverOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Security.Cryptography.CryptographicException)
        {
            io.Error.WriteLine($"Cannot listen on {string.Join(", ", serverOptions.Urls)}: {ex.Message}");
            return 1;
        }

        await using (server.ConfigureAwait(false))
        {
            try
            {
                engine.LoadModel(model, settings.Model);
                foreach ((int slot, StreamDescriptor descriptor) in descriptors)
                {
                    engine.Attach(slot, descriptor, slots[slot]);
                }

                engine.Start();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or StreamException)
            {
                io.Error.WriteLine(ex.Message);
                return 1;
            }

            io.Error.WriteLine($"Serving {settings.Model} on {string.Join(", ", server.Addresses)} ({string.Join(", ", slots.Select(s => $"slot {s.Key}: {s.Value}"))}). Ctrl-C stops.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C / SIGTERM: stop serving, then drain the engine
            }

            await server.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await engine.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (!settings.Quiet)
        {
            io.Error.Write(InspectionFormatter.Format(engine.Inspect()));
        }

        (model as IDisposable)?.Dispose();
        return 0;
    }

    private sealed record Settings(string Model, string[] Streams, string[] Urls, string? Assembly, string? Type, string? Schemas, ModelErrorPolicy OnModelError,
        string? User, string? ApiKey, string? Certificate, string? CertificatePassword, long? MaxBodySize, bool Quiet);
}
