using Microsoft.Extensions.Logging;

namespace FastScore.Streams.S3;

/// <summary>Log messages of the S3 transport (event ids 300–399). They name buckets and keys, never credentials.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 300, EventName = "S3ReadRetry", Level = LogLevel.Warning,
        Message = "S3 input {Target}: {Error} at byte {Position}; re-reading from there in {DelayMs} ms (retry {Attempt} of {MaxAttempts})")]
    public static partial void ReadRetry(ILogger logger, string target, string error, long position, long delayMs, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 301, EventName = "S3PrefixEmpty", Level = LogLevel.Warning, Message = "S3 input {Target}: no objects under the prefix; the input is empty")]
    public static partial void PrefixEmpty(ILogger logger, string target);

    [LoggerMessage(EventId = 302, EventName = "S3PrefixListed", Level = LogLevel.Information, Message = "S3 input {Target}: {Count} objects, {Bytes} bytes under the prefix")]
    public static partial void PrefixListed(ILogger logger, string target, int count, long bytes);

    [LoggerMessage(EventId = 310, EventName = "S3UploadStarted", Level = LogLevel.Debug, Message = "S3 output {Target}: multipart upload started")]
    public static partial void UploadStarted(ILogger logger, string target);

    [LoggerMessage(EventId = 311, EventName = "S3UploadCompleted", Level = LogLevel.Information, Message = "S3 output {Target}: written, {Bytes} bytes in {Parts} parts")]
    public static partial void UploadCompleted(ILogger logger, string target, long bytes, int parts);

    [LoggerMessage(EventId = 312, EventName = "S3UploadAborted", Level = LogLevel.Information, Message = "S3 output {Target}: the output was not completed; multipart upload aborted, no object written")]
    public static partial void UploadAborted(ILogger logger, string target);

    [LoggerMessage(EventId = 314, EventName = "S3WriteRetry", Level = LogLevel.Warning,
        Message = "S3 output {Target}: {Action} failed: {Error}; retrying in {DelayMs} ms (retry {Attempt} of {MaxAttempts})")]
    public static partial void WriteRetry(ILogger logger, string target, string action, string error, long delayMs, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 313, EventName = "S3AbortRefused", Level = LogLevel.Warning,
        Message = "S3 output {Target}: the output was not completed and no object was written, but the server refused to abort the multipart upload ({Error}); its parts stay stored until a lifecycle rule removes them")]
    public static partial void AbortRefused(ILogger logger, string target, string error);
}
