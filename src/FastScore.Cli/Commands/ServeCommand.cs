using System.CommandLine;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Engine;
using FastScore.Streams.Rest;
using FastScore.Streams.Rest.Hosting;
using FastScore.Streams.Rest.Transports;

namespace FastScore.Cli.Commands;

/// <summary>
/// <c>fastscore serve &lt;model&gt; &lt;stream0&gt; &lt;stream1&gt; [slot=stream ...] [--urls http://127.0.0.1:8003]</c>: the same
/// arguments as <c>run</c>, but the engine's REST API is served (round trips, <c>/1/job/input</c>, <c>/1/job/output</c>,
/// streams, state) and the command keeps serving until Ctrl-C / SIGTERM, even after the inputs end.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:8003";

    /// <summary>Where <c>run</c> with a <c>rest:</c> stream listens (default <see cref="DefaultUrl"/>; several separated by ';').</summary>
    public const string UrlsVariable = "FASTSCORE_URLS";

    public static Command Create(CliIo io)
    {
        var model = new Argument<string?>("model")
        {
            Description = "A built-in model (iris, echo), a model of the library or, with --assembly, your model's type name. Without it the engine starts empty (INIT): load one with fastscore model load.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var streams = new Argument<string[]>("streams")
        {
            Description = "Slot 0's stream, slot 1's stream, then more slot=stream pairs. A stream is a library name, a descriptor file or a literal; rest: makes the slot a REST stream. Without them, attach streams with fastscore stream attach.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var urls = new Option<string[]>("--urls") { Description = $"Where to listen (default {DefaultUrl}; port 0 picks a free port). Use http://0.0.0.0:8003 to listen on every interface.", AllowMultipleArgumentsPerToken = true };
        var assembly = new Option<string?>("--assembly") { Description = "Load the model from this assembly (.dll)." };
        var type = new Option<string?>("--type") { Description = "The model's type name in --assembly (defaults to <model>)." };
        var schemas = new Option<string?>("--schemas") { Description = "A folder of name.avsc files that {\"$ref\": name} schemas resolve to." };
        var onError = new Option<ModelErrorPolicy>("--on-model-error") { Description = "What to do when the model throws: Skip (answer 500 and go on) or Stop (the engine ends in ERROR).", DefaultValueFactory = _ => ModelErrorPolicy.Skip };
        var user = new Option<string?>("--user", "-u") { Description = $"Require HTTP basic authentication: user:password (the guide uses fastscore:fastscore). Visible in the process list: prefer --user-file or {CliCredentials.UserVariable}." };
        var userFile = new Option<string?>("--user-file") { Description = $"Require HTTP basic authentication with the user:password held in this file (or set {CliCredentials.UserVariable}, or {CliCredentials.UserVariable}_FILE)." };
        var apiKey = new Option<string?>("--api-key") { Description = $"Require this key in X-API-Key (or Authorization: Bearer). Visible in the process list: prefer --api-key-file or {CliCredentials.ApiKeyVariable}." };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = $"Require the key held in this file (or set {CliCredentials.ApiKeyVariable}, or {CliCredentials.ApiKeyVariable}_FILE)." };
        var allowAnonymous = new Option<bool>("--allow-anonymous") { Description = "Listen on a non-loopback address without authentication (refused otherwise)." };
        var dataRoot = new Option<string?>("--data-root") { Description = "The folder that descriptors received over the API may read and write files in (default: the working directory)." };
        var allowTransport = new Option<string[]>("--allow-transport") { Description = "Let descriptors received over the API use this transport type, refused by default (console, exec, odbc, tcp, udp). Repeatable.", AllowMultipleArgumentsPerToken = true };
        var inputQueue = new Option<int?>("--input-queue") { Description = "Most fire-and-forget records queued per REST input slot before POST /1/job/input answers 429 (default 1024)." };
        var roundTripQueue = new Option<int?>("--round-trip-queue") { Description = "Most round-trip records queued per REST input slot before round trips answer 429 (default 1024)." };
        var outputQueue = new Option<int?>("--output-queue") { Description = "Most unread records per REST output slot; beyond, POST /1/job/input answers 429 (default 10000)." };
        var certificate = new Option<string?>("--certificate") { Description = "A PKCS#12 (.pfx) certificate for https:// URLs." };
        var certificatePassword = new Option<string?>("--certificate-password") { Description = $"The certificate's password (prefer --certificate-password-file or {CliCredentials.CertificatePasswordVariable})." };
        var certificatePasswordFile = new Option<string?>("--certificate-password-file") { Description = "A file holding the certificate's password." };
        var maxBody = new Option<long?>("--max-body-size") { Description = "The largest request body in bytes (default 8 MiB)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the summary at exit." };
        var noUpload = new Option<bool>("--no-file-upload") { Description = "Refuse fastscore engine put (PUT /2/engine/file), which otherwise writes files into the data root." };
        var command = new Command("serve", "Serve a model over FastScore's engine REST API (on-demand scoring with rest: streams) until Ctrl-C / SIGTERM.")
        {
            model, streams, urls, assembly, type, schemas, onError, user, userFile, apiKey, apiKeyFile, allowAnonymous, dataRoot, allowTransport,
            inputQueue, roundTripQueue, outputQueue, certificate, certificatePassword, certificatePasswordFile, maxBody, quiet, noUpload,
        };
        command.SetAction((parse, ct) => ServeAsync(io, new Settings(
            parse.GetValue(model), parse.GetValue(streams) ?? [], parse.GetValue(urls) ?? [], parse.GetValue(assembly), parse.GetValue(type),
            parse.GetValue(schemas), parse.GetValue(onError), parse.GetValue(user), parse.GetValue(apiKey), parse.GetValue(certificate),
            parse.GetValue(certificatePassword), parse.GetValue(maxBody), parse.GetValue(quiet))
        {
            UserFile = parse.GetValue(userFile),
            ApiKeyFile = parse.GetValue(apiKeyFile),
            CertificatePasswordFile = parse.GetValue(certificatePasswordFile),
            AllowAnonymous = parse.GetValue(allowAnonymous),
            DataRoot = parse.GetValue(dataRoot),
            AllowTransports = parse.GetValue(allowTransport) ?? [],
            NoFileUpload = parse.GetValue(noUpload),
            Queues = new RestTransportOptions
            {
                InputQueueCapacity = parse.GetValue(inputQueue) ?? new RestTransportOptions().InputQueueCapacity,
                RoundTripQueueCapacity = parse.GetValue(roundTripQueue) ?? new RestTransportOptions().RoundTripQueueCapacity,
                OutputQueueCapacity = parse.GetValue(outputQueue) ?? new RestTransportOptions().OutputQueueCapacity,
            },
        }, ct));
        return command;
    }

    /// <summary>
    /// <c>run</c> given a <c>rest:</c> stream: a REST stream exists only behind the engine's REST API, so the run serves
    /// it in this process, with <c>serve</c>'s defaults (loopback, credentials from the environment), until Ctrl-C, and
    /// says where.
    /// </summary>
    internal static Task<int> ServeForRunAsync(CliIo io, string model, string[] streams, string? assembly, string? type, string? schemas,
        ModelErrorPolicy onError, bool quiet, CancellationToken cancellationToken)
    {
        io.Error.WriteLine("rest: streams are read and written through the engine's REST API: serving it in this process until Ctrl-C " +
            "(fastscore serve takes the same arguments and more options: --urls, -u, --api-key...).");
        string[] urls = io.GetVariable(UrlsVariable) is { Length: > 0 } list ? list.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        return ServeAsync(io, new Settings(model, streams, urls, assembly, type, schemas, onError, null, null, null, null, null, quiet), cancellationToken);
    }

    private static async Task<int> ServeAsync(CliIo io, Settings settings, CancellationToken cancellationToken)
    {
        FastScoreServerOptions? serverOptions = ServerOptions(io, settings);
        if (serverOptions is null)
        {
            return 2;
        }

        IModel? model = null;
        CliLibrary library = CliLibrary.For(io);
        try
        {
            if (settings.Model is not null)
            {
                model = ModelLoader.Load(settings.Model, settings.Assembly, settings.Type, library);
            }
            else if (settings.Streams.Length > 0 || settings.Assembly is not null)
            {
                io.Error.WriteLine("Give the model before the streams (fastscore serve MODEL STREAM0 STREAM1), or nothing to start an empty engine.");
                return 2;
            }
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
            descriptorOptions = CliStreams.LiveDescriptorOptions(io, settings.Schemas);
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
                descriptors[slot] = RestDescriptors.FromArgument(CliLibrary.For(io).ResolveStream(text), descriptorOptions);
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

        serverOptions.Rest.DescriptorOptions = descriptorOptions;
        serverOptions.Rest.ModelResolver = name => ResolveModel(name, library); // fastscore model load NAME
        serverOptions.Rest.AllowFileUpload = !settings.NoFileUpload; // fastscore engine put SRC DST, into the data root only

        var engineOptions = new EngineOptions
        {
            OnModelError = settings.OnModelError,
            ConsoleInput = io.StandardInput,
            ConsoleOutput = io.StandardOutput,
            SchemaLookup = descriptorOptions.SchemaLibrary is { } schemas ? name => schemas.TryGetSchemaJson(name, out string? json) ? json : null : null,
        };
        await using var engine = new ScoringEngine(CliStreams.CreateFactory(), engineOptions);
        engine.Factory.Options.AddRestTransport(settings.Queues);
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
                if (model is not null)
                {
                    engine.LoadModel(model, settings.Model);
                }

                foreach ((int slot, StreamDescriptor descriptor) in descriptors)
                {
                    engine.Attach(slot, descriptor, SafeText.MaskSecrets(slots[slot])); // the name is shown by the API and logs
                }

                if (model is not null && descriptors.Count > 0)
                {
                    engine.Start();
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or StreamException)
            {
                io.Error.WriteLine(ex.Message);
                return 1;
            }

            io.Error.WriteLine(model is null
                ? $"Serving an empty engine on {string.Join(", ", server.Addresses)} (data root {serverOptions.Rest.DataRoot ?? Environment.CurrentDirectory}): load a model with fastscore model load, attach streams with fastscore stream attach. Ctrl-C stops."
                : descriptors.Count == 0
                    ? $"Serving {settings.Model} on {string.Join(", ", server.Addresses)}, no streams yet: attach them with fastscore stream attach. Ctrl-C stops."
                    : $"Serving {settings.Model} on {string.Join(", ", server.Addresses)} ({string.Join(", ", slots.Select(s => $"slot {s.Key}: {s.Value}"))}). Ctrl-C stops.");
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

    /// <summary>A model that <c>model load</c> names: a built-in or one of the library's (never an assembly path sent over the API).</summary>
    private static IModel? ResolveModel(string name, CliLibrary library)
    {
        if (!ModelLoader.BuiltIns.ContainsKey(name) && !(CliLibrary.IsName(name) && File.Exists(library.ModelFile(name))))
        {
            return null;
        }

        try
        {
            return ModelLoader.Load(name, null, null, library);
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or TypeLoadException or MissingMethodException or System.Reflection.TargetInvocationException)
        {
            throw new ArgumentException($"The model '{name}' cannot be created: {CliApp.OneLine(ex)}", ex);
        }
    }

    /// <summary>
    /// The server's settings from the options, credentials resolved (option, option file, environment variable; see
    /// <see cref="CliCredentials"/>); null after printing why when they are invalid.
    /// </summary>
    private static FastScoreServerOptions? ServerOptions(CliIo io, Settings settings)
    {
        if (!CliCredentials.TryResolve("--api-key", settings.ApiKey, settings.ApiKeyFile, CliCredentials.ApiKeyVariable, io.GetVariable, out string? key, out string? error)
            || !CliCredentials.TryResolve("--user", settings.User, settings.UserFile, CliCredentials.UserVariable, io.GetVariable, out string? user, out error)
            || !CliCredentials.TryResolve("--certificate-password", settings.CertificatePassword, settings.CertificatePasswordFile,
                CliCredentials.CertificatePasswordVariable, io.GetVariable, out string? certificatePassword, out error))
        {
            io.Error.WriteLine(error);
            return null;
        }

        foreach ((string option, string? value, string instead) in (ReadOnlySpan<(string, string?, string)>)[
                     ("--api-key", settings.ApiKey, $"--api-key-file or {CliCredentials.ApiKeyVariable}"),
                     ("--user", settings.User, $"--user-file or {CliCredentials.UserVariable}"),
                     ("--certificate-password", settings.CertificatePassword, $"--certificate-password-file or {CliCredentials.CertificatePasswordVariable}")])
        {
            if (value is not null)
            {
                io.Error.WriteLine($"Warning: {option} on the command line is visible to other users of this machine (ps); prefer {instead}.");
            }
        }

        var options = new FastScoreServerOptions
        {
            CertificatePath = settings.Certificate,
            CertificatePassword = certificatePassword,
            AllowAnonymous = settings.AllowAnonymous,
            Rest = new FastScoreRestOptions { ApiKey = key },
        };
        if (user is not null)
        {
            if (!CliCredentials.TrySplitUser(user, out string name, out string password))
            {
                io.Error.WriteLine("--user takes user:password (e.g. fastscore:fastscore).");
                return null;
            }

            options.Rest.UserName = name;
            options.Rest.Password = password;
        }

        if (settings.DataRoot is { } root)
        {
            if (!Directory.Exists(root))
            {
                io.Error.WriteLine($"--data-root: folder not found: {root}");
                return null;
            }

            options.Rest.DataRoot = Path.GetFullPath(root);
        }

        foreach (string transport in settings.AllowTransports)
        {
            options.Rest.TransportAccess[transport] = ApiTransportAccess.Allowed;
        }

        if (settings.MaxBodySize is { } max)
        {
            options.Rest.MaxRequestBodySize = max;
        }

        if (settings.Urls.Length > 0)
        {
            options.Urls.Clear();
            foreach (string url in settings.Urls)
            {
                options.Urls.Add(url);
            }
        }

        return options;
    }

    private sealed record Settings(string? Model, string[] Streams, string[] Urls, string? Assembly, string? Type, string? Schemas, ModelErrorPolicy OnModelError,
        string? User, string? ApiKey, string? Certificate, string? CertificatePassword, long? MaxBodySize, bool Quiet)
    {
        public string? UserFile { get; init; }

        public string? ApiKeyFile { get; init; }

        public string? CertificatePasswordFile { get; init; }

        public bool AllowAnonymous { get; init; }

        public string? DataRoot { get; init; }

        public string[] AllowTransports { get; init; } = [];

        public RestTransportOptions Queues { get; init; } = new();

        public bool NoFileUpload { get; init; }
    }
}
