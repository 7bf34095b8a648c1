using FastScore.Streams.Engine;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Diagnostics;

/// <summary>Every log message of the core package (event ids 0–99). Record payloads are never logged beyond a short preview.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "EngineStateChanged", Level = LogLevel.Information, Message = "Engine state {Previous} -> {Current}")]
    public static partial void EngineStateChanged(ILogger logger, EngineState previous, EngineState current);

    [LoggerMessage(EventId = 2, EventName = "RecordRejected", Level = LogLevel.Warning, Message = "Rejected record: {Rejection}")]
    public static partial void RecordRejected(ILogger logger, RejectedRecord rejection);

    [LoggerMessage(EventId = 3, EventName = "ModelError", Level = LogLevel.Error, Message = "Model error: {Error}")]
    public static partial void ModelFailed(ILogger logger, ModelError error);

    [LoggerMessage(EventId = 4, EventName = "EngineFailed", Level = LogLevel.Error, Message = "Engine failed: {Message}")]
    public static partial void EngineFailed(ILogger logger, string message, Exception? exception);

    [LoggerMessage(EventId = 5, EventName = "StreamAttached", Level = LogLevel.Information, Message = "Slot {Slot}: attached stream {Name} ({Transport})")]
    public static partial void StreamAttached(ILogger logger, int slot, string name, string transport);

    [LoggerMessage(EventId = 6, EventName = "StreamAtEnd", Level = LogLevel.Information, Message = "Slot {Slot}: stream {Name} reached end of stream")]
    public static partial void StreamAtEnd(ILogger logger, int slot, string name);

    [LoggerMessage(EventId = 7, EventName = "StreamReplaced", Level = LogLevel.Information, Message = "Slot {Slot}: stream replaced by {Name}")]
    public static partial void StreamReplaced(ILogger logger, int slot, string name);

    [LoggerMessage(EventId = 8, EventName = "RetiredStreamFailed", Level = LogLevel.Warning, Message = "Slot {Slot}: the replaced stream failed while stopping: {Message}")]
    public static partial void RetiredStreamFailed(ILogger logger, int slot, string message, Exception exception);

    [LoggerMessage(EventId = 9, EventName = "ControlNotSupported", Level = LogLevel.Warning, Message = "Slot {Slot}: a {Kind} control record was not written: {Message}")]
    public static partial void ControlNotSupported(ILogger logger, int slot, Encodings.ControlKind kind, string message);

    [LoggerMessage(EventId = 10, EventName = "OutputNotCompleted", Level = LogLevel.Warning, Message = "Slot {Slot}: the output could not be completed after an error: {Message}")]
    public static partial void OutputNotCompleted(ILogger logger, int slot, string message, Exception exception);

    [LoggerMessage(EventId = 11, EventName = "HostedEngineFailed", Level = LogLevel.Error, Message = "Engine {Name} ended in ERROR: {Error}")]
    public static partial void HostedEngineFailed(ILogger logger, string name, string error);

    [LoggerMessage(EventId = 12, EventName = "RejectsFailed", Level = LogLevel.Error, Message = "The rejects stream failed: {Message}")]
    public static partial void RejectsFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(EventId = 20, EventName = "StopAbandoned", Level = LogLevel.Warning, Message = "The engine did not stop within {Limit}: stopping at once ({Reason})")]
    public static partial void StopAbandoned(ILogger logger, string limit, string reason);

    [LoggerMessage(EventId = 21, EventName = "StreamsStillClosing", Level = LogLevel.Warning, Message = "The streams did not close within {Seconds} s after an abandoned stop; they go on closing in the background")]
    public static partial void StreamsStillClosing(ILogger logger, double seconds);
}
