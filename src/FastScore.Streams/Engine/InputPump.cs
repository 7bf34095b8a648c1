using System.Threading.Channels;

namespace FastScore.Streams.Engine;

/// <summary>
/// Moves one input stream's batches into the run's merged channel, from which the engine scores every input's batches
/// in one task: one pump (a task) per input stream. After the last batch, or a failure, the pump writes a closing item
/// (no batch). Items carry the slot's generation, so what a replaced input still delivers is told apart.
/// </summary>
internal static class InputPump
{
    /// <summary>
    /// Starts the pump of <paramref name="input"/>, after <paramref name="after"/> (the pump of the input it replaces, so
    /// the slot's records stay in order). A graceful stop (<paramref name="stop"/>) stops the input reading; cancelling
    /// <paramref name="hard"/> abandons the pump.
    /// </summary>
    public static Task Start(ChannelWriter<PumpItem> merged, EngineSlot slot, InputStream input, int generation, Task? after,
        CancellationToken stop, CancellationToken hard)
    {
        CancellationTokenRegistration stopping = stop.Register(static s => ((InputStream)s!).StopReading(), input);
        return Task.Run(async () =>
        {
            using (stopping)
            {
                if (after is not null)
                {
                    await after.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // keep the slot's records in order
                }

                Exception? failure = null;
                try
                {
                    while (await input.ReadBatchAsync(hard).ConfigureAwait(false) is { } batch)
                    {
                        try
                        {
                            await merged.WriteAsync(new PumpItem(slot, generation, input, batch, null), hard).ConfigureAwait(false);
                        }
                        catch
                        {
                            batch.Dispose();
                            throw;
                        }
                    }
                }
                catch (OperationCanceledException) when (hard.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    failure = ex;
                }

                try
                {
                    await merged.WriteAsync(new PumpItem(slot, generation, input, null, failure), hard).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // reset or disposed
                }
            }
        }, CancellationToken.None);
    }
}

/// <summary>One item of the merged channel: a batch of an input, or (no batch) the input's end, with its failure if any.</summary>
internal readonly record struct PumpItem(EngineSlot Slot, int Generation, InputStream Input, RecordBatch? Batch, Exception? Error);
