using System.Diagnostics;
using System.Text;
using FastScore.Streams.Engine;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Diagnostics;

/// <summary>
/// The engine's spans (ActivitySource <c>FastScore.Streams</c>): one <c>process</c> span per scored input batch, from when
/// the input read it to when its outputs were handed to the output streams, linked to the trace context the input
/// records carried (a W3C <c>traceparent</c> header: Kafka headers, HTTP headers); and one <c>settle</c> span per
/// acknowledgement, linked to the batches it acknowledges. What the model emits while a batch span is current carries
/// the span's <c>traceparent</c> in its message headers (Kafka outputs write them). Spans are created only while a listener
/// samples them.
/// </summary>
internal static class EngineTracing
{
    /// <summary>The header that carries a W3C trace context.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The header that carries W3C trace state.</summary>
    public const string TraceState = "tracestate";

    /// <summary>At most this many links per span (OpenTelemetry SDKs keep 128 by default).</summary>
    public const int MaxLinks = 128;

    /// <summary>Starts the span of an input batch (null when nobody listens), linked to its records' trace contexts.</summary>
    public static Activity? StartBatch(EngineSlot slot, RecordBatch batch)
    {
        ActivitySource source = EngineMetrics.Source;
        if (!source.HasListeners())
        {
            return null;
        }

        List<ActivityLink>? links = null;
        for (int i = 0; i < batch.Count && (links?.Count ?? 0) < MaxLinks; i++)
        {
            if (TryGetContext(batch.GetMetadata(i), out ActivityContext context))
            {
                (links ??= []).Add(new ActivityLink(context));
            }
        }

        DateTimeOffset start = batch.ReadTimestamp != 0 ? DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(batch.ReadTimestamp) : default;
        Activity? activity = source.StartActivity(slot.ProcessSpanName, ActivityKind.Consumer, parentContext: default, tags: null, links: links, startTime: start);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", slot.Descriptor.Transport.Type);
            activity.SetTag("messaging.destination.name", slot.Name);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.batch.message_count", batch.Count);
            activity.SetTag("fastscore.slot", slot.Slot);
        }

        return activity;
    }

    /// <summary>The headers that carry a span's context to what the outputs write.</summary>
    public static KeyValuePair<string, ReadOnlyMemory<byte>>[]? Headers(Activity? activity)
    {
        if (activity?.Id is not { } id || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return null;
        }

        return activity.TraceStateString is { Length: > 0 } state
            ? [new(TraceParent, Encoding.ASCII.GetBytes(id)), new(TraceState, Encoding.UTF8.GetBytes(state))]
            : [new(TraceParent, Encoding.ASCII.GetBytes(id))];
    }

    /// <summary>Starts the span of an acknowledgement (inputs told that their records are scored and delivered), linked to the batches it covers.</summary>
    public static Activity? StartAcknowledge(EngineSlot slot, List<(long ReadAt, ActivityContext? Span)> batches)
    {
        ActivitySource source = EngineMetrics.Source;
        if (!source.HasListeners())
        {
            return null;
        }

        List<ActivityLink>? links = null;
        foreach ((_, ActivityContext? span) in batches)
        {
            if (span is { } context && (links?.Count ?? 0) < MaxLinks)
            {
                (links ??= []).Add(new ActivityLink(context));
            }
        }

        Activity? activity = source.StartActivity("settle " + slot.Name, ActivityKind.Client, parentContext: default, tags: null, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", slot.Descriptor.Transport.Type);
            activity.SetTag("messaging.destination.name", slot.Name);
            activity.SetTag("messaging.operation.type", "settle");
            activity.SetTag("messaging.operation.name", "ack");
            activity.SetTag("messaging.batch.message_count", batches.Count);
            activity.SetTag("fastscore.slot", slot.Slot);
        }

        return activity;
    }

    /// <summary>Reads a W3C trace context from a record's headers (<c>traceparent</c>, and <c>tracestate</c> when present).</summary>
    public static bool TryGetContext(MessageMetadata? metadata, out ActivityContext context)
    {
        context = default;
        if (metadata?.Headers is not { Count: > 0 } headers)
        {
            return false;
        }

        string? parent = null;
        string? state = null;
        for (int i = headers.Count - 1; i >= 0; i--)
        {
            string key = headers[i].Key;
            if (parent is null && string.Equals(key, TraceParent, StringComparison.OrdinalIgnoreCase))
            {
                parent = Encoding.ASCII.GetString(headers[i].Value.Span);
            }
            else if (state is null && string.Equals(key, TraceState, StringComparison.OrdinalIgnoreCase))
            {
                state = Encoding.UTF8.GetString(headers[i].Value.Span);
            }
        }

        return parent is not null && ActivityContext.TryParse(parent, state, isRemote: true, out context);
    }
}
