using System.Diagnostics.CodeAnalysis;
using FastScore.Streams.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Engine;

// The engine's side of its runs: the state machine's transitions (every SetStateLocked is here), stopping, starting,
// and what a run reports back (model errors, rejections) or takes (stream replacements). The control API is in
// ScoringEngine.cs; the run itself in EngineRun and RunLoop.
public sealed partial class ScoringEngine
{
    /// <summary>Gets the lock that guards the engine's state, its slots and its runs' flags.</summary>
    internal object Gate => _gate;

    internal EngineOptions Options => _options;

    internal ILogger Logger => _logger;

    /// <summary>Gets a value indicating whether a stream replacement waits to be applied by the run.</summary>
    internal bool HasReplacements => !_commands.IsEmpty;

    /// <summary>Takes the next stream replacement to apply.</summary>
    internal bool TryTakeReplacement([NotNullWhen(true)] out Replacement? command) => _commands.TryDequeue(out command);

    /// <summary>Disposes the streams of replacements the run will not apply (it is over).</summary>
    internal async ValueTask DiscardReplacementsAsync()
    {
        while (_commands.TryDequeue(out Replacement? command))
        {
            await ((IAsyncDisposable)command.Stream).DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The run's model has begun: the engine goes RUNNING, or PAUSED when a pause was requested in INIT.</summary>
    internal void RunStarted(EngineRun run)
    {
        EngineState previous;
        EngineState started;
        lock (_gate)
        {
            started = _pauseRequested && !run.StopRequested ? EngineState.Paused : EngineState.Running;
            if (started == EngineState.Paused)
            {
                _unpaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _pauseRequested = false;
            previous = SetStateLocked(started);
        }

        Raise(previous, started);
    }

    /// <summary>Every input is at its end: the engine goes FINISHING, unless a replacement waits or it is not RUNNING.</summary>
    internal bool TryEnterFinishing()
    {
        EngineState previous;
        lock (_gate)
        {
            if (!_commands.IsEmpty || _state != EngineState.Running)
            {
                return false;
            }

            previous = SetStateLocked(EngineState.Finishing);
        }

        Raise(previous, EngineState.Finishing);
        return true;
    }

    /// <summary>The run is over: the engine takes its final state (unless it is being reset, which sets INIT itself).</summary>
    internal void RunEnded(EngineRun run, EngineState final)
    {
        EngineState before;
        lock (_gate)
        {
            run.EndLocked();
            if (run.Resetting)
            {
                return; // ResetAsync sets INIT and completes Completion
            }

            before = SetStateLocked(final);
            _completion.TrySetResult(final);
        }

        Raise(before, final);
    }

    /// <summary>Gets a task that completes when the engine is not paused.</summary>
    internal Task UnpausedTask()
    {
        lock (_gate)
        {
            return _unpaused.Task;
        }
    }

    internal StreamOpenOptions OpenOptions(int slot, string name, IReadOnlyList<SlotDefinition>? definitions) => new()
    {
        Name = name,
        Slot = slot,
        InheritedSchema = definitions?.FirstOrDefault(s => s.Slot == slot)?.Schema,
        SchemaLookup = _options.SchemaLookup,
        OnRejected = OnRejected,
        ConsoleInput = _options.ConsoleInput,
        ConsoleOutput = _options.ConsoleOutput,
        TimeProvider = _options.TimeProvider,
    };

    /// <summary>Logs and keeps a model error; returns <see langword="true"/> to go on (Skip policy), <see langword="false"/> when the run must stop.</summary>
    internal bool ReportModelError(ModelError error, bool alwaysStop)
    {
        Log.ModelFailed(_logger, error);
        lock (_gate)
        {
            _reports.Add(error);
            if (_slots.TryGetValue(error.Slot, out EngineSlot? slot))
            {
                slot.CountModelError();
            }

            if (alwaysStop || _options.OnModelError == ModelErrorPolicy.Stop)
            {
                _run?.FailLocked(error.ToString());
                return false;
            }
        }

        return true;
    }

    private void OnRejected(RejectedRecord rejection)
    {
        Log.RecordRejected(_logger, rejection);
        bool stop;
        RejectsOutput? rejects;
        lock (_gate)
        {
            _reports.Add(rejection.Record.IsEmpty ? rejection : rejection with { Record = default, Metadata = null }); // reports keep the preview only
            stop = _run is { } run && EngineReports.CountTowardLimit(run, rejection, _options);
            rejects = _run?.Rejects;
        }

        rejects?.Add(rejection); // outside the lock: it may wait for the rejects stream (backpressure)

        if (stop)
        {
            RequestStop(); // graceful: no more reading, what was read is scored and flushed, then the run ends in ERROR
        }
    }

    private void RequestStop()
    {
        EngineRun? run;
        EngineState previous = EngineState.Init;
        bool resumed = false;
        lock (_gate)
        {
            run = _run;
            if (run is null || run.StopRequested)
            {
                return;
            }

            run.StopRequested = true;
            _pauseRequested = false;
            if (_state == EngineState.Paused)
            {
                previous = SetStateLocked(EngineState.Running);
                resumed = true;
            }

            _unpaused.TrySetResult();
        }

        if (resumed)
        {
            Raise(previous, EngineState.Running);
        }

        run.StopReading();
        run.ArmStopDeadline();
    }

    private void StartIfReady()
    {
        lock (_gate)
        {
            if (_options.AutoStart && _state == EngineState.Init && _run is null && Missing() is null)
            {
                StartLocked(autoStarted: true);
            }
        }
    }

    private string? Missing()
    {
        if (_invoker is null)
        {
            return "no model is loaded";
        }

        List<int>? missing = null;
        foreach (SlotDefinition definition in _invoker.Model.Slots)
        {
            if (!_slots.ContainsKey(definition.Slot))
            {
                (missing ??= []).Add(definition.Slot);
            }
        }

        if (missing is null)
        {
            return null;
        }

        missing.Sort();
        return $"no stream is attached to slot {string.Join(", ", missing)}";
    }

    private void StartLocked(bool autoStarted = false)
    {
        var run = new EngineRun(this, _invoker!, [.. _slots.Values]) { AutoStarted = autoStarted };
        _run = run;
        run.Start();
    }

    private void RequireState(string action, params EngineState[] allowed)
    {
        if (!allowed.Contains(_state))
        {
            throw new InvalidOperationException(
                $"Cannot {action} while the engine is {Describe(_state)} (allowed in {string.Join(", ", allowed.Select(Describe))}).{(_state is EngineState.Finished or EngineState.Error ? " Reset the engine first." : "")}");
        }
    }

    private void RequireNotStarted(string action)
    {
        RequireState(action, EngineState.Init);
        if (_run is not null)
        {
            throw new InvalidOperationException($"Cannot {action}: the engine is starting.");
        }
    }

    private static string Describe(EngineState state) => state.ToString().ToUpperInvariant();

    private EngineState SetStateLocked(EngineState state)
    {
        EngineState previous = _state;
        _state = state;
        return previous;
    }

    private void Raise(EngineState previous, EngineState current)
    {
        if (previous == current)
        {
            return;
        }

        Log.EngineStateChanged(_logger, previous, current);
        StateChanged?.Invoke(this, new EngineStateChangedEventArgs(previous, current));
    }

    private static TaskCompletionSource Completed()
    {
        var tcs = new TaskCompletionSource();
        tcs.SetResult();
        return tcs;
    }

    private static TaskCompletionSource<EngineState> NewCompletion() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
