using System.Diagnostics;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Encodings;

namespace FastScore.Streams.Engine;

/// <summary>
/// The loop of a run, on the run's task: applies stream replacements, honours pause, scores input batches as they
/// arrive from the merged channel, closes a batch model's pending batches when their NagleTime is up, sends outputs and
/// acknowledges inputs when idle. Returns when every input is at end of stream (or stopped), or on an error.
/// </summary>
internal sealed class RunLoop(EngineRun run)
{
    private readonly ScoringEngine _engine = run.Engine;
    private readonly ModelInvoker _invoker = run.Invoker;
    private readonly EngineOutputs _outputs = run.Outputs!;
    private readonly Acknowledgements _acknowledgements = run.Acknowledgements;
    private readonly CancellationToken _hard = run.Hard.Token;
    private readonly EngineMetrics _metrics = run.Engine.Metrics;

    /// <summary>Runs the loop; <see langword="false"/> when the run must end in ERROR.</summary>
    public async Task<bool> RunAsync()
    {
        ChannelReader<PumpItem> reader = run.Merged.Reader;
        TimeProvider time = _engine.Options.TimeProvider;
        Task<bool>? readable = null;
        _acknowledgements.Start();
        while (true)
        {
            _hard.ThrowIfCancellationRequested();
            if (_engine.HasReplacements)
            {
                await _outputs.SendAsync(_hard).ConfigureAwait(false);
                while (_engine.TryTakeReplacement(out Replacement? command))
                {
                    if (!await ReplaceAsync(command).ConfigureAwait(false))
                    {
                        return false;
                    }
                }

                continue;
            }

            Task unpaused = _engine.UnpausedTask();
            if (!unpaused.IsCompleted)
            {
                await _outputs.SendAsync(_hard).ConfigureAwait(false);
                Task wake = run.ArmWake();
                if (!_engine.HasReplacements)
                {
                    await Task.WhenAny(unpaused, wake).WaitAsync(_hard).ConfigureAwait(false);
                }

                continue;
            }

            if (reader.TryRead(out PumpItem item))
            {
                if (!await HandleAsync(item).ConfigureAwait(false))
                {
                    return false;
                }

                if (_acknowledgements.Due())
                {
                    await _acknowledgements.AcknowledgeAsync(_outputs, _hard).ConfigureAwait(false);
                }

                continue;
            }

            if (run.Active == 0 && _engine.TryEnterFinishing())
            {
                return true;
            }

            // Idle: nothing to score right now. Send what the model produced, acknowledge, close batches whose NagleTime is up.
            await _outputs.SendAsync(_hard).ConfigureAwait(false);
            if (_acknowledgements.Due())
            {
                await _acknowledgements.AcknowledgeAsync(_outputs, _hard).ConfigureAwait(false);
            }

            TimeSpan? wait = null;
            bool flushed = false;
            foreach (EngineSlot slot in run.InputSlots)
            {
                // a caller waiting for a record of the pending batch (REST round trip) never waits for NagleTime
                if (slot.PendingRecords > 0 && (_invoker.HasPendingReply(slot.Slot) ? 0 : slot.NagleTime) is { } nagle)
                {
                    TimeSpan left = TimeSpan.FromMilliseconds(nagle) - time.GetElapsedTime(slot.PendingSince);
                    if (left <= TimeSpan.Zero)
                    {
                        if (!await FlushSlotAsync(slot).ConfigureAwait(false))
                        {
                            return false;
                        }

                        flushed = true;
                        continue;
                    }

                    wait = wait is null || left < wait ? left : wait;
                }
            }

            if (flushed)
            {
                continue; // send what the closed batches produced
            }

            if (_acknowledgements.TimeLeft() is { } ackLeft)
            {
                wait = wait is null || ackLeft < wait ? ackLeft : wait;
            }

            if (_outputs.MustSend || wait <= TimeSpan.Zero)
            {
                continue;
            }

            Task armed = run.ArmWake();
            if (_engine.HasReplacements || !_engine.UnpausedTask().IsCompleted)
            {
                continue;
            }

            readable ??= reader.WaitToReadAsync(_hard).AsTask();
            if (!readable.IsCompleted)
            {
                if (wait is { } delay)
                {
                    using var timer = CancellationTokenSource.CreateLinkedTokenSource(_hard);
                    await Task.WhenAny(readable, armed, Task.Delay(delay, time, timer.Token)).ConfigureAwait(false);
                    await timer.CancelAsync().ConfigureAwait(false);
                }
                else
                {
                    await Task.WhenAny(readable, armed).ConfigureAwait(false);
                }
            }

            if (readable.IsCompleted)
            {
                readable = null;
            }
        }
    }

    private async ValueTask<bool> HandleAsync(PumpItem item)
    {
        EngineSlot slot = item.Slot;
        if (item.Batch is { } batch)
        {
            // Telemetry costs nothing unless a listener is attached: no timestamp, no span, no allocation.
            return _metrics.BatchesObserved || EngineMetrics.Source.HasListeners() || _metrics.Latency.Enabled
                ? await ProcessObservedAsync(slot, item.Input, batch).ConfigureAwait(false)
                : await ProcessAsync(slot, item.Input, batch).ConfigureAwait(false);
        }

        if (item.Generation != slot.Generation)
        {
            // a replaced input has delivered everything it read
            if (item.Error is { } retiredError)
            {
                Log.RetiredStreamFailed(_engine.Logger, slot.Slot, retiredError.Message, retiredError);
            }

            return await RetireAsync(slot, item.Input).ConfigureAwait(false);
        }

        if (item.Error is { } error)
        {
            run.Fail($"slot {slot.Slot} ({slot.Name}): {error.Message}");
            Log.EngineFailed(_engine.Logger, error.Message, error);
            return false;
        }

        lock (_engine.Gate)
        {
            slot.InputEnded(stopped: item.Input.WasStopped);
        }

        run.Active--;
        Log.StreamAtEnd(_engine.Logger, slot.Slot, slot.Name);
        return await FlushSlotAsync(slot).ConfigureAwait(false);
    }

    /// <summary>Scores one input batch as <see cref="ProcessAsync"/> does, with its metrics and its span (see docs/operations.md).</summary>
    private async ValueTask<bool> ProcessObservedAsync(EngineSlot slot, InputStream input, RecordBatch batch)
    {
        int count = batch.Count;
        long readAt = batch.ReadTimestamp;
        bool needsAck = batch.LastMessage is not null && input.NeedsAcknowledgement;
        using Activity? activity = EngineTracing.StartBatch(slot, batch);
        // the span's traceparent, encoded once per batch and only when an output writes message headers (Kafka)
        _outputs.TraceHeaders = activity is not null && _outputs.AnyCarriesHeaders ? EngineTracing.Headers(activity) : null;
        long started = Stopwatch.GetTimestamp();
        bool ok;
        try
        {
            ok = await ProcessAsync(slot, input, batch).ConfigureAwait(false); // disposes the batch
        }
        finally
        {
            _outputs.TraceHeaders = null;
        }

        KeyValuePair<string, object?>[] tags = slot.MetricTags;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _metrics.BatchSize.Record(count, tags);
        _metrics.ModelBatchDuration.Record(seconds, tags);
        if (count > 0)
        {
            _metrics.ModelRecordDuration.Record(seconds / count, tags);
        }

        if (needsAck && readAt != 0)
        {
            slot.Acknowledgements.ReadAt(readAt, activity?.Context);
        }

        if (!ok)
        {
            activity?.SetStatus(ActivityStatusCode.Error, run.Error);
        }

        return ok;
    }

    /// <summary>Scores one input batch; control records close the slot's batch, and a pig passes through to every output.</summary>
    private async ValueTask<bool> ProcessAsync(EngineSlot slot, InputStream input, RecordBatch batch)
    {
        using (batch)
        {
            int count = batch.Count;
            if (!batch.HasControl)
            {
                if (count > 0 && !await ScoreAsync(slot, input, batch, 0, count).ConfigureAwait(false))
                {
                    return false;
                }
            }
            else
            {
                int start = 0;
                for (int i = 0; i < count; i++)
                {
                    ControlRecord control = batch.GetControl(i);
                    if (control.Kind == ControlKind.None)
                    {
                        continue;
                    }

                    if (i > start && !await ScoreAsync(slot, input, batch, start, i).ConfigureAwait(false))
                    {
                        return false;
                    }

                    start = i + 1;
                    if (!await FlushSlotAsync(slot).ConfigureAwait(false))
                    {
                        return false;
                    }

                    if (control.Kind == ControlKind.Pig)
                    {
                        _outputs.EmitControlToAll(control);
                    }

                    if (input.AnswersCallers)
                    {
                        input.FindReply(batch.GetMetadata(i))?.OnScored([]); // a control record produces nothing for its caller
                    }
                }

                if (start < count && !await ScoreAsync(slot, input, batch, start, count).ConfigureAwait(false))
                {
                    return false;
                }
            }

            if (batch.LastMessage is { } last && input.NeedsAcknowledgement)
            {
                slot.Acknowledgements.Processed(input, last, slot.PendingRecords);
            }
        }

        return true;
    }

    /// <summary>Scores data records: an input that answers callers takes the invoker's reply path, every other the plain one.</summary>
    private ValueTask<bool> ScoreAsync(EngineSlot slot, InputStream input, RecordBatch batch, int start, int end) =>
        input.AnswersCallers
            ? _invoker.ProcessWithRepliesAsync(slot, input, batch, start, end, _hard)
            : _invoker.ProcessAsync(slot, input, batch, start, end, _hard);

    private ValueTask<bool> FlushSlotAsync(EngineSlot slot) =>
        _invoker.IsBatchModel ? _invoker.FlushAsync(slot, _hard) : ValueTask.FromResult(true);

    /// <summary>Applies a stream replacement (between batches).</summary>
    private async ValueTask<bool> ReplaceAsync(Replacement command)
    {
        EngineSlot slot = run.Slots.First(s => s.Slot == command.Slot);
        if (command.Stream is InputStream input)
        {
            InputStream old;
            bool oldDone;
            Task? oldPump = slot.Pump;
            lock (_engine.Gate)
            {
                old = slot.ReplaceInput(command.Descriptor, command.Name, input, out oldDone);
            }

            Log.StreamReplaced(_engine.Logger, slot.Slot, command.Name);
            if (oldDone)
            {
                run.Active++;
                if (!await RetireAsync(slot, old).ConfigureAwait(false))
                {
                    return false;
                }
            }
            else
            {
                old.StopReading(); // what it read still arrives (older generation), then it is retired
            }

            run.StartPump(slot, after: oldPump);
            return true;
        }

        var output = (OutputStream)command.Stream;
        OutputStream previous = slot.Output!;
        try
        {
            await previous.CompleteAsync(_outputs.Take(slot.Slot), _hard).ConfigureAwait(false);
            await output.OpenAsync(_hard).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_hard.IsCancellationRequested)
        {
            run.Fail($"slot {slot.Slot}: replacing the output failed: {ex.Message}");
            Log.EngineFailed(_engine.Logger, ex.Message, ex);
            await output.DisposeAsync().ConfigureAwait(false);
            return false;
        }

        lock (_engine.Gate)
        {
            slot.ReplaceOutput(command.Descriptor, command.Name, output);
        }

        _outputs.SetStream(slot.Slot, output);
        await previous.DisposeAsync().ConfigureAwait(false);
        Log.StreamReplaced(_engine.Logger, slot.Slot, command.Name);
        return true;
    }

    /// <summary>A replaced input has delivered everything it read: close the slot's batch, acknowledge what it read, release it.</summary>
    private async ValueTask<bool> RetireAsync(EngineSlot slot, InputStream old)
    {
        if (!await FlushSlotAsync(slot).ConfigureAwait(false))
        {
            return false;
        }

        if (slot.Acknowledgements.Holds(old))
        {
            await _acknowledgements.AcknowledgeAsync(_outputs, _hard).ConfigureAwait(false);
        }

        lock (_engine.Gate)
        {
            slot.FinishRetiring(old);
        }

        await old.DisposeAsync().ConfigureAwait(false);
        return true;
    }
}

/// <summary>A stream built by <see cref="ScoringEngine.Attach"/> while the engine runs, waiting to replace its slot's stream.</summary>
internal sealed record Replacement(int Slot, StreamDescriptor Descriptor, string Name, object Stream);
