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

// What every handler shares: the guard (authentication, timeouts, errors), body limits, answers.
internal sealed partial class FastScoreApi
{
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

    private Framer CreateFramer(StreamDescriptor descriptor, EnvelopeDescriptor envelope) =>
        _engine.Factory.Options.Components.TryGetEnvelope(envelope.Type, out EnvelopeProvider? provider)
            ? provider.CreateFramer(envelope, new ComponentContext(descriptor, schema: null, isInput: false))
            : throw new DescriptorException("Envelope", $"'{envelope.Type}' has no registered envelope.");

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
        "json" => several ? "application/x-ndjson" : Json,
        "utf-8" => "text/plain; charset=utf-8",
        "avro-binary" => "application/avro-binary",
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
