using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;
using FastScore.Streams.Envelopes;
using FastScore.Streams.Rest.Diagnostics;
using FastScore.Streams.Rest.Transports;
using FastScore.Streams.Transports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace FastScore.Streams.Rest.Endpoints;

/// <summary>FastScore's engine REST API over one <see cref="ScoringEngine"/>: the request handlers.</summary>
internal sealed class FastScoreApi
{
    private const string Json = "application/json";

    /// <summary>The <c>Retry-After</c> of a 429: queues drain in milliseconds when the engine runs, so one second.</summary>
    private const string RetryAfterSeconds = "1";
    private readonly ScoringEngine _engine;
    private readonly RestTransportHub _hub;
    private readonly FastScoreRestOptions _options;
    private readonly ILogger _logger;
    private readonly ApiStreamPolicy _policy;
    private readonly byte[]? _basic;
    private readonly byte[]? _apiKey;

    public FastScoreApi(ScoringEngine engine, RestTransportHub hub, FastScoreRestOptions options, ILogger logger)
    {
        _engine = engine;
        _hub = hub;
        _options = options;
        _logger = logger;
        _policy = new ApiStreamPolicy(options);
        if (options.UserName is not null)
        {
            _basic = Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.UserName}:{options.Password}")));
        }

        if (options.ApiKey is not null)
        {
            _apiKey = Encoding.UTF8.GetBytes(options.ApiKey);
        }
    }

    /// <summary>Maps every endpoint on a route group.</summary>
    public void Map(IEndpointRouteBuilder group)
    {
        group.MapPost("/2/active/model/roundtrip/{inSlot:int}/{outSlot:int}", Guard(RoundTripAsync, timeout: false));
        group.MapPost("/1/job/input/{slot:int}", Guard(InputAsync));
        group.MapPost("/1/job/input", Guard(InputAsync));
        group.MapGet("/1/job/output/{slot:int}", Guard(OutputAsync, timeout: false));
        group.MapGet("/1/job/output", Guard(OutputAsync, timeout: false));
        group.MapPut("/2/active/stream/{slot:int}", Guard(AttachAsync));
        group.MapPut("/1/job/stream/in", Guard(ctx => AttachAsync(ctx, 0)));
        group.MapPut("/1/job/stream/out", Guard(ctx => AttachAsync(ctx, 1)));
        group.MapPut("/1/job/stream/{slot:int}", Guard(AttachAsync));
        group.MapGet("/2/active/stream", Guard(StreamsAsync));
        group.MapGet("/2/active/stream/{slot:int}", Guard(StreamsAsync));
        group.MapDelete("/2/active/stream/{slot:int}", Guard(DetachAsync));
        group.MapGet("/2/active/model", Guard(ModelAsync));
        group.MapGet("/2/engine/state", Guard(StateAsync));
        group.MapPost("/2/engine/pause", Guard(ctx => ControlAsync(ctx, "pause")));
        group.MapPost("/2/engine/unpause", Guard(ctx => ControlAsync(ctx, "unpause")));
        group.MapPost("/2/engine/reset", Guard(ctx => ControlAsync(ctx, "reset")));
        group.MapGet("/1/job/status", Guard(StatusAsync));
        group.MapPost("/1/stream/sample", Guard(SampleAsync));
    }

    // ---- round trip -----------------------------------------------------------------------------

    private async Task RoundTripAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        int inSlot = RouteSlot(ctx, "inSlot", -1);
        int outSlot = RouteSlot(ctx, "outSlot", -1);
        if (inSlot % 2 != 0 || outSlot % 2 != 1)
        {
            await TextAsync(ctx, 400, $"A round trip goes from an even (input) slot to an odd (output) slot; got {inSlot} → {outSlot}.").ConfigureAwait(false);
            return;
        }

        InputTransport? inputTransport = _hub.FindInput(inSlot);
        if (inputTransport is not RestMessageInput input)
        {
            await (inputTransport is RestChunkedInput
                ? TextAsync(ctx, 400, $"Round trips need a simple-mode REST input; the stream on slot {inSlot} is chunked (use POST /1/job/input/{inSlot}).")
                : NoRestStreamAsync(ctx, inSlot)).ConfigureAwait(false);
            return;
        }

        if (_hub.FindOutput(outSlot) is not IRestOutput output || output.IsFinished)
        {
            await NoRestStreamAsync(ctx, outSlot).ConfigureAwait(false);
            return;
        }

        if (!TryTimeout(ctx, _options.RoundTripTimeout, out TimeSpan timeout))
        {
            await TextAsync(ctx, 400, "timeout must be a whole number of milliseconds (0 or absent: the default).").ConfigureAwait(false);
            return;
        }

        byte[]? body = await ReadBodyAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var reply = new RoundTripReply(outSlot);
        switch (input.Submit(body, reply))
        {
            case SubmitResult.Full:
                await TooManyAsync(ctx, $"The round-trip queue of slot {inSlot} is full ({input.RoundTripCapacity} records wait for the engine); retry later.").ConfigureAwait(false);
                return;
            case SubmitResult.Closed:
                await TextAsync(ctx, 503, $"The REST stream on slot {inSlot} is closed.").ConfigureAwait(false);
                return;
        }

        RoundTripResult result;
        try
        {
            result = await reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.RoundTripTimedOut(_logger, inSlot, outSlot, (long)timeout.TotalMilliseconds);
            await TextAsync(ctx, 504, $"No output within {(long)timeout.TotalMilliseconds} ms (engine {StateName(_engine.State)}).").ConfigureAwait(false);
            return;
        }

        switch (result.Outcome)
        {
            case RoundTripOutcome.Scored:
                await WriteOutputsAsync(ctx, output.Descriptor, result.Outputs).ConfigureAwait(false);
                break;
            case RoundTripOutcome.Rejected:
                await TextAsync(ctx, 400, result.Message!).ConfigureAwait(false);
                break;
            case RoundTripOutcome.ModelError:
                await TextAsync(ctx, 500, SafeText.EscapeControlCharacters(result.Message!)).ConfigureAwait(false);
                break;
            default:
                await TextAsync(ctx, 503, result.Message!).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Writes a round trip's outputs: none → 204; with no envelope one output is the body and several are
    /// newline-delimited; with an envelope the outputs are framed by it (as the stream would write them).
    /// </summary>
    private async Task WriteOutputsAsync(HttpContext ctx, StreamDescriptor output, byte[][] outputs)
    {
        HttpResponse response = ctx.Response;
        if (outputs.Length == 0)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        if (output.Envelope is null && outputs.Length == 1)
        {
            response.ContentType = ContentType(output.Encoding, several: false);
            response.ContentLength = outputs[0].Length;
            await response.Body.WriteAsync(outputs[0]).ConfigureAwait(false);
            return;
        }

        response.ContentType = ContentType(output.Encoding, several: true);
        var body = new ArrayBufferWriter<byte>();
        Framer framer = output.Envelope is null ? new DelimitedFramer("\n", int.MaxValue, OversizePolicy.Fail) : CreateFramer(output.Envelope);
        framer.WriteStart(body);
        foreach (byte[] record in outputs)
        {
            framer.WriteFrame(record, body);
        }

        framer.WriteEnd(body);
        response.ContentLength = body.WrittenCount;
        await response.Body.WriteAsync(body.WrittenMemory).ConfigureAwait(false);
    }

    // ---- job input / output ---------------------------------------------------------------------

    private async Task InputAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        int slot = RouteSlot(ctx, "slot", 0);
        InputTransport? transport = _hub.FindInput(slot);
        if (transport is not (RestMessageInput or RestChunkedInput))
        {
            await NoRestStreamAsync(ctx, slot).ConfigureAwait(false);
            return;
        }

        if (_hub.FindFullOutput() is { } full)
        {
            // nobody reads that output: more fire-and-forget records would only make the engine wait, and round trips with it
            await TooManyAsync(ctx, $"The output on slot {full.Slot} holds {full.Backlog} that nobody has read (GET /1/job/output/{full.Slot}); retry later.").ConfigureAwait(false);
            return;
        }

        SubmitResult result;
        if (transport is RestMessageInput input)
        {
            byte[]? body = await ReadBodyAsync(ctx, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                return;
            }

            result = input.Submit(body, null);
            if (result == SubmitResult.Full)
            {
                await TooManyAsync(ctx, $"The input queue of slot {slot} is full ({input.Capacity} records wait for the engine); retry later.").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            if (!CheckDeclaredLength(ctx))
            {
                await TooLargeAsync(ctx).ConfigureAwait(false);
                return;
            }

            try
            {
                result = await ((RestChunkedInput)transport).WriteAsync(ctx.Request.BodyReader, _options.MaxRequestBodySize, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                await TooLargeAsync(ctx).ConfigureAwait(false);
                return;
            }

            if (result == SubmitResult.Full)
            {
                await TooManyAsync(ctx, $"The input buffer of slot {slot} is full (the engine does not keep up); retry later.").ConfigureAwait(false);
                return;
            }
        }

        if (result == SubmitResult.Queued)
        {
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        else
        {
            await TextAsync(ctx, 503, $"The REST stream on slot {slot} is closed.").ConfigureAwait(false);
        }
    }

    private async Task OutputAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        int slot = RouteSlot(ctx, "slot", 1);
        if (_hub.FindOutput(slot) is not IRestOutput output)
        {
            await NoRestStreamAsync(ctx, slot).ConfigureAwait(false);
            return;
        }

        if (!TryTimeout(ctx, TimeSpan.Zero, out TimeSpan wait))
        {
            await TextAsync(ctx, 400, "timeout must be a whole number of milliseconds.").ConfigureAwait(false);
            return;
        }

        (TakeStatus status, ReadOnlyMemory<byte> data) = await output.TakeAsync(wait, _options.MaxResponseChunkSize, cancellationToken).ConfigureAwait(false);
        switch (status)
        {
            case TakeStatus.Data:
                ctx.Response.StatusCode = StatusCodes.Status200OK;
                ctx.Response.ContentType = output.Descriptor.Transport is RestTransportDescriptor { Mode: RestMode.Chunked }
                    ? ContentType(output.Descriptor.Encoding, several: true)
                    : ContentType(output.Descriptor.Encoding, several: false);
                ctx.Response.ContentLength = data.Length;
                await ctx.Response.Body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                break;
            case TakeStatus.NoData:
                ctx.Response.StatusCode = StatusCodes.Status202Accepted;
                break;
            default:
                if (!_engine.Inspect().Slots.Any(s => s.Slot == slot && s.Descriptor.Transport is RestTransportDescriptor))
                {
                    _hub.ForgetFinishedOutputs(); // the engine was reset: the slot has no stream any more
                    await NoRestStreamAsync(ctx, slot).ConfigureAwait(false);
                    return;
                }

                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
        }
    }

    // ---- streams --------------------------------------------------------------------------------

    private Task AttachAsync(HttpContext ctx, CancellationToken cancellationToken) => AttachAsync(ctx, RouteSlot(ctx, "slot", -1), cancellationToken);

    private Task AttachAsync(HttpContext ctx, int slot) => AttachAsync(ctx, slot, ctx.RequestAborted);

    private async Task AttachAsync(HttpContext ctx, int slot, CancellationToken cancellationToken)
    {
        byte[]? body = await ReadBodyAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        bool dryRun = string.Equals(ctx.Request.Query["dry-run"], "true", StringComparison.OrdinalIgnoreCase);
        string? name = StreamName(ctx.Request.Headers.ContentDisposition);
        try
        {
            StreamDescriptor descriptor = RestDescriptors.Parse(RestDescriptors.Text(body, _options.DescriptorOptions), _options.DescriptorOptions);
            if (_policy.Check(descriptor, asInput: slot % 2 == 0) is { } refused)
            {
                await TextAsync(ctx, 403, refused).ConfigureAwait(false);
                return;
            }

            string? problem = CheckSlot(slot, descriptor);
            if (problem is not null)
            {
                await TextAsync(ctx, 400, problem).ConfigureAwait(false);
                return;
            }

            if (dryRun)
            {
                await JsonAsync(ctx, 200, RestDescriptors.ToInternal(descriptor)).ConfigureAwait(false);
                return;
            }

            _engine.Attach(slot, descriptor, name is null ? null : SafeText.MaskSecrets(name));
            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (Exception ex) when (ex is DescriptorException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            await TextAsync(ctx, 400, ex.Message).ConfigureAwait(false);
        }
    }

    /// <summary>What <c>dry-run</c> and attach check before the engine does: direction, registered transport, the model's slots.</summary>
    private string? CheckSlot(int slot, StreamDescriptor descriptor)
    {
        if (slot < 0)
        {
            return "The slot must be 0 or more.";
        }

        IReadOnlyList<DescriptorError> errors = descriptor.CheckSlot(slot);
        if (errors.Count > 0)
        {
            return string.Join(Environment.NewLine, errors);
        }

        if (!_engine.Factory.Options.Transports.ContainsKey(descriptor.Transport.Type))
        {
            return $"Transport '{descriptor.Transport.Type}' is not registered in this engine.";
        }

        string encoding = descriptor.Encoding?.Type ?? StreamFactoryOptions.NullEncodingKey;
        if (!_engine.Factory.Options.Encodings.ContainsKey(encoding))
        {
            return $"Encoding '{encoding}' is not registered in this engine.";
        }

        if (_engine.Model is { } model && !model.Slots.Any(s => s.Slot == slot))
        {
            return $"The model does not use slot {slot} (it uses {string.Join(", ", model.Slots.Select(s => s.Slot).Order())}).";
        }

        return null;
    }

    private async Task StreamsAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        int slot = RouteSlot(ctx, "slot", -1);
        EngineInspection inspection = _engine.Inspect();
        if (slot < 0)
        {
            await JsonAsync(ctx, 200, new JsonArray([.. inspection.Slots.Select(s => (JsonNode)SlotJson(s))])).ConfigureAwait(false);
            return;
        }

        SlotInspection? found = inspection.Slots.FirstOrDefault(s => s.Slot == slot);
        await (found is null ? TextAsync(ctx, 404, $"No stream is attached to slot {slot}.") : JsonAsync(ctx, 200, SlotJson(found))).ConfigureAwait(false);
    }

    private async Task DetachAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        int slot = RouteSlot(ctx, "slot", -1);
        try
        {
            if (_engine.Detach(slot))
            {
                ctx.Response.StatusCode = StatusCodes.Status204NoContent;
            }
            else
            {
                await TextAsync(ctx, 404, $"No stream is attached to slot {slot}.").ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException ex)
        {
            await TextAsync(ctx, 400, ex.Message).ConfigureAwait(false);
        }
    }

    private static JsonObject SlotJson(SlotInspection s) => new()
    {
        ["slot"] = s.Slot,
        ["name"] = SafeText.MaskSecrets(s.StreamName),
        ["descriptor"] = RestDescriptors.ToDisplay(s.Descriptor),
        ["eof"] = s.EndOfStream,
        ["transport"] = s.Transport,
        ["records"] = s.Records,
        ["bytes"] = s.Bytes,
        ["rejected_by_encoding"] = s.RejectedByEncoding,
        ["rejected_by_schema"] = s.RejectedBySchema,
        ["oversized"] = s.Oversized,
        ["model_errors"] = s.ModelErrors,
        ["undelivered"] = s.Undelivered,
    };

    // ---- engine ---------------------------------------------------------------------------------

    private Task StateAsync(HttpContext ctx, CancellationToken cancellationToken) =>
        JsonAsync(ctx, 200, new JsonObject { ["state"] = StateName(_engine.State) });

    private async Task ControlAsync(HttpContext ctx, string action)
    {
        try
        {
            switch (action)
            {
                case "pause":
                    _engine.Pause();
                    break;
                case "unpause":
                    _engine.Unpause();
                    break;
                default:
                    await _engine.ResetAsync().ConfigureAwait(false);
                    _hub.ForgetFinishedOutputs();
                    break;
            }

            ctx.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (InvalidOperationException ex)
        {
            await TextAsync(ctx, 400, ex.Message).ConfigureAwait(false);
        }
    }

    private async Task ModelAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        EngineInspection inspection = _engine.Inspect();
        if (_engine.Model is not { } model)
        {
            await TextAsync(ctx, 404, "No model is loaded.").ConfigureAwait(false);
            return;
        }

        await JsonAsync(ctx, 200, new JsonObject
        {
            ["name"] = inspection.ModelName,
            ["mtype"] = "dotnet",
            ["slots"] = ModelSlots(model),
        }).ConfigureAwait(false);
    }

    private async Task StatusAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        EngineInspection inspection = _engine.Inspect();
        IModel? model = _engine.Model;
        var slots = new JsonArray();
        IEnumerable<int> numbers = (model?.Slots.Select(s => s.Slot) ?? []).Union(inspection.Slots.Select(s => s.Slot)).Order();
        foreach (int number in numbers)
        {
            SlotDefinition? definition = model?.Slots.FirstOrDefault(s => s.Slot == number);
            SlotInspection? stream = inspection.Slots.FirstOrDefault(s => s.Slot == number);
            slots.Add(new JsonObject
            {
                ["slot"] = number,
                ["schema"] = definition?.Schema is { } schema ? JsonNode.Parse(schema) : null,
                ["recordsets"] = false,
                ["action"] = number % 2 == 0 ? "action" : null,
                ["stream"] = stream is null ? null : SlotJson(stream),
            });
        }

        await JsonAsync(ctx, 200, new JsonObject
        {
            ["model"] = model is null ? null : new JsonObject { ["name"] = inspection.ModelName, ["type"] = "dotnet" },
            ["slots"] = slots,
            ["jets"] = new JsonArray(),
            ["state"] = StateName(inspection.State),
            ["rejections"] = new JsonArray([.. inspection.Rejections.TakeLast(10).Select(r => (JsonNode)SafeText.MaskSecrets(r.ToString()))]),
            ["model_errors"] = new JsonArray([.. inspection.ModelErrors.TakeLast(10).Select(e => (JsonNode)SafeText.MaskSecrets(e.ToString()))]),
            ["error"] = inspection.Error is { } error ? SafeText.EscapeControlCharacters(SafeText.MaskSecrets(error)) : null,
        }).ConfigureAwait(false);
    }

    private static JsonArray ModelSlots(IModel model) =>
        new([.. model.Slots.Select(s => (JsonNode)new JsonObject
        {
            ["slot"] = s.Slot,
            ["schema"] = s.Schema is null ? null : JsonNode.Parse(s.Schema),
            ["recordsets"] = false,
            ["action"] = s.IsInput ? "action" : null,
        })]);

    // ---- sample ---------------------------------------------------------------------------------

    private async Task SampleAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        int n = 10;
        if (ctx.Request.Query.TryGetValue("n", out var text) && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < 1))
        {
            await TextAsync(ctx, 400, "n must be a positive whole number.").ConfigureAwait(false);
            return;
        }

        byte[]? body = await ReadBodyAsync(ctx, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return;
        }

        var records = new JsonArray();
        try
        {
            StreamDescriptor descriptor = RestDescriptors.Parse(RestDescriptors.Text(body, _options.DescriptorOptions), _options.DescriptorOptions);
            if (descriptor.Transport is RestTransportDescriptor)
            {
                await TextAsync(ctx, 400, "A REST stream has no data of its own to sample; post records to /1/job/input instead.").ConfigureAwait(false);
                return;
            }

            if (!descriptor.Transport.CanRead)
            {
                await TextAsync(ctx, 400, $"Transport '{descriptor.Transport.Type}' cannot be read from.").ConfigureAwait(false);
                return;
            }

            if (_policy.Check(descriptor, asInput: true) is { } refused)
            {
                await TextAsync(ctx, 403, refused).ConfigureAwait(false);
                return;
            }

            InputStream stream = _engine.Factory.CreateInput(descriptor, new StreamOpenOptions { Name = "sample", InheritedSchema = null });
            await using ConfiguredAsyncDisposable disposeStream = stream.ConfigureAwait(false);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(_options.SampleTimeout);
            try
            {
                while (records.Count < n && await stream.ReadBatchAsync(limit.Token).ConfigureAwait(false) is { } batch)
                {
                    using (batch)
                    {
                        for (int i = 0; i < batch.Count && records.Count < n; i++)
                        {
                            records.Add(Convert.ToBase64String(batch.GetSpan(i)));
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // the sample timeout: return what was read
            }
        }
        catch (Exception ex) when (ex is StreamException or NotSupportedException or ArgumentException)
        {
            await TextAsync(ctx, 400, ex.Message).ConfigureAwait(false);
            return;
        }

        await JsonAsync(ctx, 200, records).ConfigureAwait(false);
    }

    // ---- plumbing -------------------------------------------------------------------------------

    /// <summary>Wraps a handler: authentication, request timeout (504), client disconnects, unexpected errors (500).</summary>
    private RequestDelegate Guard(Func<HttpContext, CancellationToken, Task> handler, bool timeout = true) => async ctx =>
    {
        if (_basic is not null || _apiKey is not null)
        {
            if (!Authenticated(ctx.Request))
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                if (_basic is not null)
                {
                    ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"fastscore\"";
                }

                return;
            }
        }

        CancellationToken aborted = ctx.RequestAborted;
        using CancellationTokenSource? limit = timeout ? CancellationTokenSource.CreateLinkedTokenSource(aborted) : null;
        limit?.CancelAfter(_options.RequestTimeout);
        try
        {
            await handler(ctx, limit?.Token ?? aborted).ConfigureAwait(false);
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // the client went away: nothing to answer; the engine goes on
        }
        catch (OperationCanceledException) when (limit is { IsCancellationRequested: true })
        {
            if (!ctx.Response.HasStarted)
            {
                await TextAsync(ctx, 504, $"The request did not complete within {(long)_options.RequestTimeout.TotalMilliseconds} ms.").ConfigureAwait(false);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            if (!ctx.Response.HasStarted)
            {
                await TooLargeAsync(ctx).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.RequestFailed(_logger, ctx.Request.Method, ctx.Request.Path.Value ?? "", SafeText.MaskSecrets(ex.ToString()));
            if (!ctx.Response.HasStarted)
            {
                await TextAsync(ctx, 500, ex.Message).ConfigureAwait(false);
            }
        }
    };

    private RequestDelegate Guard(Func<HttpContext, Task> handler) => Guard((ctx, _) => handler(ctx));

    private bool Authenticated(HttpRequest request)
    {
        if (_apiKey is not null)
        {
            string? key = request.Headers["X-API-Key"];
            string authorization = request.Headers.Authorization.ToString();
            if (key is null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                key = authorization[7..].Trim();
            }

            if (key is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), _apiKey))
            {
                return true;
            }
        }

        if (_basic is not null)
        {
            string authorization = request.Headers.Authorization.ToString();
            if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[6..].Trim()), _basic))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the whole body, or answers 413 and returns null when it is larger than the maximum.</summary>
    private async ValueTask<byte[]?> ReadBodyAsync(HttpContext ctx, CancellationToken cancellationToken)
    {
        if (!CheckDeclaredLength(ctx))
        {
            await TooLargeAsync(ctx).ConfigureAwait(false);
            return null;
        }

        long max = _options.MaxRequestBodySize;
        PipeReader reader = ctx.Request.BodyReader;
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (buffer.Length > max)
            {
                reader.AdvanceTo(buffer.End);
                await TooLargeAsync(ctx).ConfigureAwait(false);
                return null;
            }

            if (read.IsCompleted)
            {
                byte[] body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private bool CheckDeclaredLength(HttpContext ctx)
    {
        if (ctx.Request.ContentLength is long length && length > _options.MaxRequestBodySize)
        {
            return false;
        }

        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature
            && (feature.MaxRequestBodySize is null || feature.MaxRequestBodySize > _options.MaxRequestBodySize))
        {
            feature.MaxRequestBodySize = _options.MaxRequestBodySize;
        }

        return true;
    }

    /// <summary>429 with <c>Retry-After</c>: a queue is full; nothing was queued.</summary>
    private static Task TooManyAsync(HttpContext ctx, string message)
    {
        ctx.Response.Headers.RetryAfter = RetryAfterSeconds;
        return TextAsync(ctx, StatusCodes.Status429TooManyRequests, message);
    }

    private Task TooLargeAsync(HttpContext ctx)
    {
        ctx.Response.Headers.Connection = "close";
        return TextAsync(ctx, 413, $"The request body is larger than the maximum of {_options.MaxRequestBodySize} bytes.");
    }

    private bool TryTimeout(HttpContext ctx, TimeSpan fallback, out TimeSpan timeout)
    {
        timeout = fallback;
        if (!ctx.Request.Query.TryGetValue("timeout", out var text))
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long ms))
        {
            return false;
        }

        if (ms > 0)
        {
            timeout = TimeSpan.FromMilliseconds(Math.Min(ms, _options.MaxTimeout.TotalMilliseconds));
        }

        return true;
    }

    private Task NoRestStreamAsync(HttpContext ctx, int slot)
    {
        SlotInspection? attached = _engine.Inspect().Slots.FirstOrDefault(s => s.Slot == slot);
        return attached?.Descriptor.Transport is RestTransportDescriptor
            ? TextAsync(ctx, 503, $"The REST stream on slot {slot} is not open: the engine is {StateName(_engine.State)}" +
                (_engine.State == EngineState.Init ? " (it starts when the model and every slot's stream are attached)." : " (reset it and attach the streams again)."))
            : TextAsync(ctx, 403, attached is null ? $"No stream is attached to slot {slot}." : $"The stream on slot {slot} is not a REST stream ({attached.Transport}).");
    }

    private Framer CreateFramer(EnvelopeDescriptor envelope) =>
        _engine.Factory.Options.Envelopes.TryGetValue(envelope.Type, out Func<EnvelopeDescriptor, Framer>? create)
            ? create(envelope)
            : Framers.Create(envelope);

    private static int RouteSlot(HttpContext ctx, string name, int fallback) =>
        ctx.Request.RouteValues.TryGetValue(name, out object? value) && value is string text
            && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int slot)
            ? slot
            : fallback;

    private static string? StreamName(string? contentDisposition)
    {
        if (contentDisposition is null || !ContentDispositionHeaderValue.TryParse(contentDisposition, out ContentDispositionHeaderValue? header))
        {
            return null;
        }

        string? name = header.Name.Value;
        return name is { Length: > 1 } && name[0] == '"' ? name[1..^1] : name;
    }

    private static string ContentType(EncodingDescriptor? encoding, bool several) => encoding?.Type switch
    {
        EncodingTypes.Json => several ? "application/x-ndjson" : Json,
        EncodingTypes.Utf8 => "text/plain; charset=utf-8",
        EncodingTypes.AvroBinary => "application/avro-binary",
        _ => "application/octet-stream",
    };

    internal static string StateName(EngineState state) => state.ToString().ToLowerInvariant();

    /// <summary>Answers a status with a text body; secrets inside URLs in it are masked (error bodies quote descriptors and exceptions).</summary>
    private static Task TextAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        return ctx.Response.WriteAsync(SafeText.MaskSecrets(message), CancellationToken.None);
    }

    private static Task JsonAsync(HttpContext ctx, int status, JsonNode node)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = Json;
        return ctx.Response.WriteAsync(node.ToJsonString(), CancellationToken.None);
    }
}
