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
internal sealed partial class FastScoreApi
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
        group.MapPut("/2/active/model", Guard(LoadModelAsync));
        group.MapPut("/1/job/model", Guard(LoadModelAsync));
        group.MapPut("/2/engine/file", Guard(PutFileAsync));
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
        switch (input.Submit(body, reply, TraceContext(ctx.Request)))
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
        if (output.Envelope is null)
        {
            // Several outputs of an envelope-less stream: one per line, as NDJSON.
            foreach (byte[] record in outputs)
            {
                body.Write(record);
                body.Write("\n"u8);
            }
        }
        else
        {
            Framer framer = CreateFramer(output, output.Envelope);
            framer.WriteStart(body);
            foreach (byte[] record in outputs)
            {
                framer.WriteFrame(record, body);
            }

            framer.WriteEnd(body);
        }

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

            result = input.Submit(body, null, TraceContext(ctx.Request));
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

    /// <summary>The request's W3C trace context (<c>traceparent</c>, <c>tracestate</c>) as record headers, so the engine's batch span links to the caller's trace; null without one.</summary>
    private static KeyValuePair<string, ReadOnlyMemory<byte>>[]? TraceContext(HttpRequest request)
    {
        if (!request.Headers.TryGetValue("traceparent", out Microsoft.Extensions.Primitives.StringValues parent) || parent.Count != 1 || parent[0] is not { Length: > 0 and <= 128 } traceParent)
        {
            return null;
        }

        return request.Headers.TryGetValue("tracestate", out Microsoft.Extensions.Primitives.StringValues state) && state.ToString() is { Length: > 0 and <= 512 } traceState
            ? [new("traceparent", System.Text.Encoding.ASCII.GetBytes(traceParent)), new("tracestate", System.Text.Encoding.UTF8.GetBytes(traceState))]
            : [new("traceparent", System.Text.Encoding.ASCII.GetBytes(traceParent))];
    }
}
