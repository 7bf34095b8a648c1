using System.Threading.Channels;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Engine;

/// <summary>
/// One run of a <see cref="ScoringEngine"/>, from start to FINISHED or ERROR (or a reset): opens the streams, begins the
/// model, runs the <see cref="RunLoop"/>, finishes (the model's end, outputs completed, inputs acknowledged) and closes
/// the streams, within the stop's time limit once a graceful stop is requested. Its flags are read and written under the
/// engine's lock unless noted.
/// </summary>
internal sealed class EngineRun
{
    private const int MergedCapacity = 8;

    private readonly ScoringEngine _engine;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _error;

    public EngineRun(ScoringEngine engine, ModelInvoker invoker, List<EngineSlot> slots)
    {
        _engine = engine;
        Invoker = invoker;
        Slots = slots;
        InputSlots = [.. slots.Where(s => s.IsInput)];
        OutputSlots = [.. slots.Where(s => !s.IsInput)];
        Active = InputSlots.Length;
        Acknowledgements = new Acknowledgements(InputSlots, OutputSlots, engine.Options.TimeProvider, engine.Options.AcknowledgeInterval, engine.Metrics);
    }

    public ScoringEngine Engine => _engine;

    public ModelInvoker Invoker { get; }

    public List<EngineSlot> Slots { get; }

    public EngineSlot[] InputSlots { get; }

    public EngineSlot[] OutputSlots { get; }

    /// <summary>Gets a value indicating whether the engine started this run by itself (<see cref="EngineOptions.AutoStart"/>).</summary>
    public bool AutoStarted { get; init; }

    /// <summary>Cancelled by reset and dispose: abandons everything.</summary>
    public CancellationTokenSource Hard { get; } = new();

    /// <summary>Cancelled by a graceful stop: inputs stop reading (registered per input).</summary>
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>Every input batch, from every pump, in the order the engine scores them.</summary>
    public Channel<PumpItem> Merged { get; } = Channel.CreateBounded<PumpItem>(new BoundedChannelOptions(MergedCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public EngineOutputs? Outputs { get; private set; }

    /// <summary>Gets the rejects stream of the run (<see cref="EngineOptions.Rejects"/>), once open; null without one.</summary>
    public RejectsOutput? Rejects { get; private set; }

    public Acknowledgements Acknowledgements { get; }

    public Task? Task { get; private set; }

    /// <summary>Gets or sets the inputs of the current generation not yet at end of stream (run task only).</summary>
    public int Active { get; set; }

    public bool StopRequested { get; set; }

    /// <summary>Gets a value indicating whether the run is over.</summary>
    public bool Ended { get; private set; }

    /// <summary>Gets or sets the rejected records of this run, counted for <see cref="EngineOptions.MaxRejectedRecords"/>.</summary>
    public long Rejected { get; set; }

    /// <summary>Gets or sets why the run stopped when <see cref="EngineOptions.MaxRejectedRecords"/> was crossed, or null.</summary>
    public string? RejectionLimitCrossed { get; set; }

    public bool Resetting { get; set; }

    public bool Disposing { get; set; }

    /// <summary>Gets why the run failed, or null (the first reason given wins).</summary>
    public string? Error => _error;

    /// <summary>Fires when a graceful stop has taken longer than LingerTime + StopTimeout.</summary>
    private ITimer? StopTimer { get; set; }

    /// <summary>Completed when the stop was abandoned.</summary>
    private TaskCompletionSource Abandoned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The body (open, loop, finish) has returned; only closing the streams is left.</summary>
    private bool BodyDone { get; set; }

    private object Gate => _engine.Gate;

    /// <summary>Starts the run's task.</summary>
    public void Start() => Task = System.Threading.Tasks.Task.Run(RunAsync, CancellationToken.None);

    /// <summary>Records why the run fails, unless a reason is already known (call under the engine's lock).</summary>
    public void FailLocked(string message) => _error ??= message;

    /// <summary>Records why the run fails, unless a reason is already known.</summary>
    public void Fail(string message)
    {
        lock (Gate)
        {
            _error ??= message;
        }
    }

    public void StopReading()
    {
        try
        {
            Stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async Task AbortAsync()
    {
        try
        {
            await Hard.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        if (Task is { } task)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Creates the task the loop waits on while idle; <see cref="Signal"/> completes it.</summary>
    public Task ArmWake()
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wake, wake);
        return wake.Task;
    }

    /// <summary>Wakes the loop (a stream replacement is queued).</summary>
    public void Signal() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>Starts the pump of an input of this run (see <see cref="InputPump"/>).</summary>
    public void StartPump(EngineSlot slot, Task? after) =>
        slot.Pumping(InputPump.Start(Merged.Writer, slot, slot.Input!, slot.Generation, after, Stop.Token, Hard.Token));

    /// <summary>Bounds a graceful stop: past LingerTime + <see cref="EngineOptions.StopTimeout"/> it is abandoned.</summary>
    public void ArmStopDeadline()
    {
        TimeSpan timeout = _engine.Options.StopTimeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        long linger = 0;
        foreach (EngineSlot output in OutputSlots)
        {
            linger = Math.Max(linger, output.Descriptor.LingerTime ?? 0);
        }

        if (timeout.TotalDays + TimeSpan.FromMilliseconds(linger).TotalDays > 24)
        {
            return; // beyond what a timer can wait (49 days) in practice: no limit
        }

        TimeSpan limit = timeout + TimeSpan.FromMilliseconds(linger);
        string description = $"{limit.TotalSeconds:0.###} s (LingerTime {linger} ms + StopTimeout {timeout.TotalSeconds:0.###} s)";
        lock (Gate)
        {
            if (Ended || StopTimer is not null)
            {
                return;
            }

            StopTimer = _engine.Options.TimeProvider.CreateTimer(_ => AbandonStop(description), null, limit, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The stop took too long: score and deliver nothing more, abort what is not complete, end in ERROR.</summary>
    private void AbandonStop(string limit)
    {
        bool cancel;
        lock (Gate)
        {
            if (Ended)
            {
                return;
            }

            cancel = !BodyDone; // after the body only closing is left: bound it, nothing is lost
            if (cancel)
            {
                FailLocked($"The stop did not finish within {limit} and was abandoned: records already read but not scored are not acknowledged "
                    + "(an input that acknowledges what was delivered reads them again), and outputs that were not completed were aborted (what they had not delivered is counted as undelivered).");
            }
        }

        Log.StopAbandoned(_engine.Logger, limit, cancel ? "draining, scoring or delivering did not finish" : "closing the streams did not finish");
        if (cancel)
        {
            try
            {
                Hard.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        Abandoned.TrySetResult();
    }

    private async Task RunAsync()
    {
        EngineState final = EngineState.Error;
        try
        {
            final = await RunBodyAsync().ConfigureAwait(false);
            lock (Gate)
            {
                BodyDone = true;
                if (Abandoned.Task.IsCompleted)
                {
                    final = EngineState.Error; // abandoned while finishing: some of it may not have been delivered
                }
            }
        }
        catch (OperationCanceledException) when (Hard.IsCancellationRequested)
        {
            lock (Gate)
            {
                FailLocked(Disposing ? "The engine was disposed while running." : "The engine was reset while running.");
            }
        }
        catch (Exception ex)
        {
            Fail(ex.Message);
            Log.EngineFailed(_engine.Logger, ex.Message, ex);
        }
        finally
        {
            await CleanUpBoundedAsync().ConfigureAwait(false);
        }

        _engine.RunEnded(this, final);
    }

    /// <summary>Marks the run over (under the engine's lock).</summary>
    public void EndLocked()
    {
        Ended = true;
        StopTimer?.Dispose();
    }

    /// <summary>Opens the streams, begins the model, runs the loop and finishes; returns the final state.</summary>
    private async Task<EngineState> RunBodyAsync()
    {
        CancellationToken hard = Hard.Token;
        StreamFactory factory = _engine.Factory;
        int maxSlot = 1;
        var streams = new FileIdentity.SlotStream[Slots.Count]; // an array: List<T> over a struct is JIT-compiled
        for (int i = 0; i < streams.Length; i++)
        {
            maxSlot = Math.Max(maxSlot, Slots[i].Slot);
            streams[i] = new FileIdentity.SlotStream(Slots[i].Slot, Slots[i].Descriptor);
        }

        var outputs = new EngineOutputs(maxSlot, factory.Options.MaxBatchRecords, (slot, control, ex) => Log.ControlNotSupported(_engine.Logger, slot, control.Kind, ex.Message));
        Outputs = outputs;
        if (FileIdentity.FindOutputOverInput(streams) is { } sameFile)
        {
            // checked when attached; checked again before anything is opened, in case a link appeared since
            Fail(sameFile);
            return EngineState.Error;
        }

        Invoker.Start(outputs, maxSlot, _engine.Options.TimeProvider);
        foreach (EngineSlot slot in Slots)
        {
            StreamOpenOptions open = _engine.OpenOptions(slot.Slot, slot.Name, Invoker.Model.Slots);
            object stream = slot.IsInput ? factory.CreateInput(slot.Descriptor, open) : factory.CreateOutput(slot.Descriptor, open);
            lock (Gate)
            {
                if (stream is InputStream input)
                {
                    Invoker.PrepareInput(input);
                    slot.Opened(input);
                }
                else
                {
                    slot.Opened((OutputStream)stream);
                }
            }
        }

        if (_engine.Options.Rejects is { } rejectsDescriptor)
        {
            RejectsOutput rejects = RejectsOutput.Create(factory, rejectsDescriptor, _engine.Options.TimeProvider, _engine.Logger);
            try
            {
                await rejects.OpenAsync(hard).ConfigureAwait(false);
            }
            catch
            {
                await rejects.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            Acknowledgements.Rejects = rejects;
            Invoker.Rejects = rejects;
            lock (Gate)
            {
                Rejects = rejects; // rejections from here on are written to it
            }
        }

        foreach (EngineSlot slot in OutputSlots)
        {
            await slot.Output!.OpenAsync(hard).ConfigureAwait(false);
            outputs.SetStream(slot.Slot, slot.Output);
        }

        try
        {
            await Invoker.Model.BeginAsync(hard).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !hard.IsCancellationRequested)
        {
            _engine.ReportModelError(new ModelError(-1, 0, "", $"{ex.GetType().Name}: {ex.Message} (in BeginAsync)"), alwaysStop: true);
            await CompleteOutputsAfterErrorAsync().ConfigureAwait(false);
            return EngineState.Error;
        }

        _engine.RunStarted(this);
        foreach (EngineSlot slot in InputSlots)
        {
            StartPump(slot, after: null);
        }

        bool ok = await new RunLoop(this).RunAsync().ConfigureAwait(false);
        if (ok)
        {
            ok = await FinishAsync().ConfigureAwait(false);
        }
        else
        {
            await CompleteOutputsAfterErrorAsync().ConfigureAwait(false);
        }

        return ok ? EngineState.Finished : EngineState.Error;
    }

    /// <summary>Every input is at end of stream: close pending batches, call the model's end, complete the outputs (LingerTime), acknowledge.</summary>
    private async ValueTask<bool> FinishAsync()
    {
        CancellationToken hard = Hard.Token;
        bool ok = true;
        foreach (EngineSlot slot in InputSlots)
        {
            if (!await Invoker.FlushAsync(slot, hard).ConfigureAwait(false))
            {
                ok = false;
                break;
            }
        }

        if (ok)
        {
            try
            {
                await Invoker.Model.EndAsync(Outputs!, hard).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !hard.IsCancellationRequested)
            {
                ok = _engine.ReportModelError(new ModelError(-1, 0, "", $"{ex.GetType().Name}: {ex.Message} (in EndAsync)"), alwaysStop: false);
            }
        }

        if (ok && EngineReports.JudgeRejections(this, _engine.Options) is { } tooMany)
        {
            Fail(tooMany); // too many rejected records: the run fails before its outputs are completed
            ok = false;
        }

        if (!ok)
        {
            await CompleteOutputsAfterErrorAsync().ConfigureAwait(false);
            return false;
        }

        foreach (EngineSlot slot in OutputSlots)
        {
            await slot.Output!.CompleteAsync(Outputs!.Take(slot.Slot), hard).ConfigureAwait(false);
            lock (Gate)
            {
                slot.OutputCompleted();
            }
        }

        if (Rejects is { } completing)
        {
            await completing.CompleteAsync(hard).ConfigureAwait(false);
        }

        // the outputs are complete (durable): everything read can be acknowledged
        await Acknowledgements.AcknowledgeInputsAsync(hard).ConfigureAwait(false);
        return true;
    }

    /// <summary>After an error, completes the outputs with what was produced so far (best effort; failures are logged).</summary>
    private async ValueTask CompleteOutputsAfterErrorAsync()
    {
        if (Rejects is { } rejects)
        {
            try
            {
                await rejects.CompleteAsync(Hard.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !Hard.IsCancellationRequested)
            {
                Log.RejectsFailed(_engine.Logger, ex.Message, ex);
            }
        }

        foreach (EngineSlot slot in OutputSlots)
        {
            OutputBatch? last = Outputs!.Take(slot.Slot);
            if (!slot.Output!.HasData && last is not { Count: > 0 })
            {
                // Nothing was written: the output is not completed but aborted when disposed, so a run that fails
                // before its first record leaves no empty output behind (a file it created is removed).
                last?.Dispose();
                continue;
            }

            try
            {
                await slot.Output!.CompleteAsync(last, Hard.Token).ConfigureAwait(false);
                lock (Gate)
                {
                    slot.OutputCompleted();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !Hard.IsCancellationRequested)
            {
                Log.OutputNotCompleted(_engine.Logger, slot.Slot, ex.Message, ex);
            }
        }
    }

    /// <summary>Closes the streams; once a stop is abandoned, waits at most 5 s more and lets the rest close in the background.</summary>
    private async Task CleanUpBoundedAsync()
    {
        Task cleanup = CleanUpAsync();
        Task abandoned = Abandoned.Task;
        if (await System.Threading.Tasks.Task.WhenAny(cleanup, abandoned).ConfigureAwait(false) == cleanup)
        {
            await cleanup.ConfigureAwait(false);
            return;
        }

        TimeSpan budget = TimeSpan.FromSeconds(5);
        try
        {
            await cleanup.WaitAsync(budget, _engine.Options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.StreamsStillClosing(_engine.Logger, budget.TotalSeconds);
            _ = cleanup.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task CleanUpAsync()
    {
        Outputs?.DiscardPending();
        StopReading();
        await Hard.CancelAsync().ConfigureAwait(false); // releases pumps waiting on the merged channel
        foreach (EngineSlot slot in Slots)
        {
            if (slot.Pump is { } pump)
            {
                await pump.ConfigureAwait(false);
            }
        }

        while (Merged.Reader.TryRead(out PumpItem item))
        {
            item.Batch?.Dispose();
        }

        if (Rejects is { } rejects)
        {
            await rejects.DisposeAsync().ConfigureAwait(false);
        }

        // Outputs first: an output's undelivered records are counted when it is released, which must not wait behind an
        // input that is slow to close (stdin blocked in a read, a Kafka consumer waiting for its coordinator).
        var ordered = new List<EngineSlot>(Slots.Count); // not OrderBy(s => s.IsInput): LINQ over bool is JIT-compiled
        foreach (EngineSlot slot in Slots)
        {
            if (!slot.IsInput)
            {
                ordered.Add(slot);
            }
        }

        foreach (EngineSlot slot in Slots)
        {
            if (slot.IsInput)
            {
                ordered.Add(slot);
            }
        }

        foreach (EngineSlot slot in ordered)
        {
            List<InputStream> retiring;
            lock (Gate)
            {
                retiring = [.. slot.Retiring];
            }

            foreach (InputStream old in retiring)
            {
                await old.DisposeAsync().ConfigureAwait(false);
            }

            if (slot.Input is { } input)
            {
                await input.DisposeAsync().ConfigureAwait(false);
            }

            if (slot.Output is { } output)
            {
                await output.DisposeAsync().ConfigureAwait(false);
            }
        }

        await _engine.DiscardReplacementsAsync().ConfigureAwait(false);
    }
}
