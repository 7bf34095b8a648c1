using FastScore.Streams.Kafka.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Kafka;

/// <summary>Closes Kafka clients within <see cref="KafkaTransportOptions.CloseTimeout"/>, leaving a slow close to finish in the background.</summary>
internal static class KafkaClose
{
    /// <summary>Runs blocking librdkafka calls on a thread of their own (they may block for as long as a broker timeout).</summary>
    public static Task OnOwnThread(Action close) =>
        Task.Factory.StartNew(close, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Waits for <paramref name="closing"/> at most <paramref name="timeout"/>. Past that, it goes on in the background
    /// (a failure is logged) and this returns <see langword="false"/>.
    /// </summary>
    public static async Task<bool> WaitAsync(Task closing, TimeSpan timeout, ILogger logger, string streamName, string client)
    {
        try
        {
            await (timeout == Timeout.InfiniteTimeSpan ? closing : closing.WaitAsync(timeout)).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException) when (!closing.IsCompleted)
        {
            Log.CloseAbandoned(logger, streamName, client, timeout.TotalSeconds);
            _ = closing.ContinueWith(
                t => Log.CloseFailed(logger, streamName, t.Exception!.GetBaseException().Message),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return false;
        }
    }
}
