using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Rest.Diagnostics;

/// <summary>The REST package's log messages (event ids 300–399).</summary>
internal static partial class Log
{
    /// <summary>A request failed unexpectedly (500); <paramref name="error"/> is the exception with its stack, secrets masked.</summary>
    [LoggerMessage(EventId = 300, EventName = "RestRequestFailed", Level = LogLevel.Error, Message = "{Method} {Path} failed: {Error}")]
    public static partial void RequestFailed(ILogger logger, string method, string path, string error);

    [LoggerMessage(EventId = 301, EventName = "RestRoundTripTimedOut", Level = LogLevel.Warning, Message = "Round trip {InSlot} → {OutSlot}: no output within {TimeoutMs} ms")]
    public static partial void RoundTripTimedOut(ILogger logger, int inSlot, int outSlot, long timeoutMs);

    [LoggerMessage(EventId = 302, EventName = "RestServerStarted", Level = LogLevel.Information, Message = "FastScore REST API listening on {Urls}")]
    public static partial void ServerStarted(ILogger logger, string urls);
}
