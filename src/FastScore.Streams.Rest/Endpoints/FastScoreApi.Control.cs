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

// The stream, engine and sample endpoints (see FastScoreApi.cs for the round trip and job input/output).
internal sealed partial class FastScoreApi
{
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
            StreamDescriptor descriptor = RestDescriptors.Parse(RestDescriptors.Text(body, DescriptorOptions), DescriptorOptions);
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

        if (!_engine.Factory.Options.Components.TryGetTransport(descriptor.Transport.Type, out _))
        {
            return $"Transport '{descriptor.Transport.Type}' is not registered in this engine.";
        }

        string encoding = descriptor.Encoding?.Type ?? "null"; // raw bytes
        if (!_engine.Factory.Options.Components.TryGetEncoding(encoding, out _))
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
            StreamDescriptor descriptor = RestDescriptors.Parse(RestDescriptors.Text(body, DescriptorOptions), DescriptorOptions);
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

    /// <summary>How posted descriptors are read: the host's options, or else the engine's registered components (so package transports are known).</summary>
    private StreamDescriptorOptions DescriptorOptions => _options.DescriptorOptions ?? _engine.Factory.Options.CreateDescriptorOptions();
}
