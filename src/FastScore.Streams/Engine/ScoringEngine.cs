using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.Channels;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Encodings;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastScore.Streams.Engine;

/// <summary>
/// Runs a host's model on numbered slots: even slots are inputs, odd slots outputs. The descriptors alone decide
/// whether it scores on demand (REST), in batch (files, S3) or streaming (Kafka). States follow FastScore:
/// INIT → RUNNING (⇄ PAUSED) → FINISHING → FINISHED, or ERROR; <see cref="ResetAsync"/> returns to INIT from any state.
/// </summary>
/// <remarks>
/// <para>Thread-safe: control methods may be called from any thread. The model is called from one task at a time.</para>
/// <para>Records move from inputs to the model and from the model to outputs in batches through bounded channels, so a
/// slow output slows the inputs and memory stays bounded. A graceful stop (<see cref="StopAsync"/>, cancelling
/// <see cref="RunAsync"/>) stops reading, scores everything already read and flushes the outputs.</para>
/// </remarks>
public sealed class ScoringEngine : IAsyncDisposable
{
    private const int MergedCapacity = 8;

    private readonly object _gate = new();
    private readonly StreamFactory _factory;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly EngineMetrics _metrics;
    private readonly SortedDictionary<int, EngineSlot> _slots = [];
    private readonly Queue<RejectedRecord> _rejections = new();
    private readonly Queue<ModelError> _modelErrors = new();
    private readonly ConcurrentQueue<Replacement> _commands = new();
    private ModelInvoker? _invoker;
    private string? _modelName;
    private EngineState _state;
    private bool _pauseRequested;
    private TaskCompletionSource _unpaused = Completed();
    private TaskCompletionSource<EngineState> _completion = NewCompletion();
    private Run? _run;
    private string? _error;
    private int _disposed;

    /// <summary>Creates an engine.</summary>
    /// <param name="factory">Builds the streams; <see langword="null"/> uses the built-ins.</param>
    /// <param name="options">Engine settings.</param>
    /// <param name="loggerFactory">Logging, if any.</param>
    /// <param name="meterFactory">Creates the <c>FastScore.Streams</c> meter, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EngineOptions.MaxRejectedRecords"/> is negative, or <see cref="EngineOptions.MaxRejectedPercent"/> is not between 0 and 100.</exception>
    public ScoringEngine(StreamFactory? factory = null, EngineOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        _factory = factory ?? new StreamFactory();
        _options = options ?? new EngineOptions();
        if (_options.MaxRejectedRecords is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxRejectedRecords, "EngineOptions.MaxRejectedRecords must not be negative.");
        }

        if (_options.MaxRejectedPercent is { } percent && !(percent is >= 0 and <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(options), percent, "EngineOptions.MaxRejectedPercent must be between 0 and 100.");
        }

        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("FastScore.Streams.Engine");
        _metrics = new EngineMetrics(meterFactory, () => Inspect().Slots);
    }

    /// <summary>Raised after every state change (on the thread that caused it).</summary>
    public event EventHandler<EngineStateChangedEventArgs>? StateChanged;

    /// <summary>Gets the current state.</summary>
    public EngineState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Gets the factory the engine builds its streams with (its transport, envelope and encoding registries).</summary>
    public StreamFactory Factory => _factory;

    /// <summary>Gets the loaded model, or <see langword="null"/>.</summary>
    public IModel? Model
    {
        get
        {
            lock (_gate)
            {
                return _invoker?.Model;
            }
        }
    }

    /// <summary>
    /// Gets a task that completes when the current run ends: with <see cref="EngineState.Finished"/>,
    /// <see cref="EngineState.Error"/>, or <see cref="EngineState.Init"/> when the engine was reset.
    /// </summary>
    public Task<EngineState> Completion
    {
        get
        {
            lock (_gate)
            {
                return _completion.Task;
            }
        }
    }

    /// <summary>Loads the model. Allowed in INIT only (reset first after FINISHED or ERROR).</summary>
    /// <param name="model">The model.</param>
    /// <param name="name">Its display name; the type name by default.</param>
    /// <exception cref="InvalidOperationException">The engine is not in INIT or is starting, or a stream is attached to a slot the model does not use.</exception>
    /// <exception cref="ArgumentException">The model implements neither <see cref="IModel{TInput, TOutput}"/> nor <see cref="IBatchModel{TInput, TOutput}"/>, or declares a slot twice or a negative slot.</exception>
    /// <exception cref="DescriptorException">An attached stream cannot be built with the model's slot schema (e.g. an invalid inherited schema).</exception>
    public void LoadModel(IModel model, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelInvoker invoker = ModelInvoker.Create(model, OnModelError);
        IReadOnlyList<SlotDefinition> definitions = model.Slots;
        var slots = definitions.Select(s => s.Slot).ToList();
        if (slots.Distinct().Count() != slots.Count || slots.Any(s => s < 0))
        {
            throw new ArgumentException($"{model.GetType().Name} declares an invalid slot list: {string.Join(", ", slots)} (slots must be distinct and not negative).", nameof(model));
        }

        lock (_gate)
        {
            RequireNotStarted("load a model");
            int[] unused = _slots.Keys.Where(k => !slots.Contains(k)).ToArray();
            if (unused.Length > 0)
            {
                throw new InvalidOperationException(
                    $"A stream is attached to slot {string.Join(", ", unused)}, which {model.GetType().Name} does not use (it uses {string.Join(", ", slots.Order())}). Detach it first.");
            }

            foreach (EngineSlot slot in _slots.Values)
            {
                _factory.Validate(slot.Descriptor, slot.IsInput, OpenOptions(slot.Slot, slot.Name, definitions));
            }

            _invoker = invoker;
            _modelName = name ?? model.GetType().Name;
        }

        StartIfReady();
    }

    /// <summary>
    /// Attaches a stream to a slot. While the engine runs, attaching to a slot replaces its stream: an input stops
    /// reading and everything it read is still scored before the new one starts; an output is completed (flushed and
    /// closed) before the new one takes the following records.
    /// </summary>
    /// <param name="slot">The slot: even for an input, odd for an output.</param>
    /// <param name="descriptor">The stream's descriptor. A descriptor whose <c>Schema</c> is <c>$inherit</c> (the default) checks records against the model slot's schema.</param>
    /// <param name="name">The stream's display name; <c>{transport}-{slot}</c> by default.</param>
    /// <exception cref="ArgumentException">The transport cannot serve the slot's direction (an input on an odd slot or an output on an even one), the loaded model does not use the slot, or an output would write to a file an input reads (compared by device and inode: relative paths, symbolic and hard links included).</exception>
    /// <exception cref="DescriptorException">The stream cannot be built: unregistered transport, envelope or encoding, or a schema that does not resolve.</exception>
    /// <exception cref="InvalidOperationException">The engine is finishing, finished or in error (reset it first).</exception>
    public void Attach(int slot, StreamDescriptor descriptor, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        bool input = slot % 2 == 0;
        if (input && !descriptor.Transport.CanRead)
        {
            throw new ArgumentException($"Slot {slot} is an input slot (even), but transport '{descriptor.Transport.Type}' cannot be read from; outputs go to odd slots.", nameof(slot));
        }

        if (!input && !descriptor.Transport.CanWrite)
        {
            throw new ArgumentException($"Slot {slot} is an output slot (odd), but transport '{descriptor.Transport.Type}' cannot be written to; inputs go to even slots.", nameof(slot));
        }

        name ??= $"{descriptor.Transport.Type}-{slot}";
        Run? run;
        StreamOpenOptions open;
        lock (_gate)
        {
            if (_invoker is { } invoker && !invoker.Model.Slots.Any(s => s.Slot == slot))
            {
                throw new ArgumentException(
                    $"The model {_modelName} does not use slot {slot} (it uses {string.Join(", ", invoker.Model.Slots.Select(s => s.Slot).Order())}).", nameof(slot));
            }

            RequireState("attach a stream", EngineState.Init, EngineState.Running, EngineState.Paused);
            if (FileIdentity.FindOutputOverInput(_slots.Values.Where(s => s.Slot != slot).Select(s => (s.Slot, s.Descriptor)).Append((slot, descriptor))) is { } sameFile)
            {
                throw new ArgumentException(sameFile, nameof(descriptor));
            }

            run = _run;
            open = OpenOptions(slot, name, _invoker?.Model.Slots);
            if (run is null)
            {
                _factory.Validate(descriptor, input, open);
                _slots[slot] = new EngineSlot(slot, descriptor, name);
            }
        }

        if (run is null)
        {
            Log.StreamAttached(_logger, slot, name, descriptor.Transport.Type);
            StartIfReady();
            return;
        }

        // Replacing while running: build the stream here, so a bad descriptor fails the caller, not the running engine.
        object stream = input ? _factory.CreateInput(descriptor, open) : _factory.CreateOutput(descriptor, open);
        if (stream is InputStream created)
        {
            run.Invoker.PrepareInput(created);
        }

        bool queued = false;
        lock (_gate)
        {
            if (_run == run && _state is EngineState.Init or EngineState.Running or EngineState.Paused)
            {
                _commands.Enqueue(new Replacement(slot, descriptor, name, stream));
                queued = true;
            }
        }

        if (!queued)
        {
            _ = ((IAsyncDisposable)stream).DisposeAsync().AsTask();
            throw new InvalidOperationException($"Cannot attach a stream while the engine is {State.ToString().ToUpperInvariant()}.");
        }

        run.Signal();
        Log.StreamAttached(_logger, slot, name, descriptor.Transport.Type);
    }

    /// <summary>Detaches the stream of a slot. Refused while a run is going (replace the stream by attaching another instead).</summary>
    /// <param name="slot">The slot.</param>
    /// <returns><see langword="true"/> when a stream was detached; <see langword="false"/> when none was attached.</returns>
    /// <exception cref="InvalidOperationException">The engine is starting, running, paused or finishing.</exception>
    public bool Detach(int slot)
    {
        lock (_gate)
        {
            if (_run is not null && _state is EngineState.Init or EngineState.Running or EngineState.Paused or EngineState.Finishing)
            {
                throw new InvalidOperationException(
                    $"Cannot detach slot {slot} while the engine is {Describe(_state)}; attach another stream to replace it, or reset the engine.");
            }

            return _slots.Remove(slot);
        }
    }

    /// <summary>
    /// Starts the engine (when <see cref="EngineOptions.AutoStart"/> is off, or to get a clear error about what is missing).
    /// Does nothing when the engine started by itself (<see cref="EngineOptions.AutoStart"/>), whatever state that run is
    /// in by now: a short job may already have finished.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model or a slot's stream is missing, or the engine is not in INIT.</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_run is { AutoStarted: true })
            {
                return; // started by AutoStart (maybe already finished): not an error for a caller that starts it too
            }

            RequireState("start", EngineState.Init);
            if (_run is not null)
            {
                return; // already starting
            }

            string? missing = Missing();
            if (missing is not null)
            {
                throw new InvalidOperationException($"Cannot start: {missing}.");
            }

            StartLocked();
        }
    }

    /// <summary>
    /// Starts the engine if needed and waits until the run ends. Cancelling <paramref name="cancellationToken"/> stops
    /// gracefully: reading stops, everything already read is scored and flushed, and the engine finishes.
    /// </summary>
    /// <param name="cancellationToken">Stops the run gracefully.</param>
    /// <returns>The final state: <see cref="EngineState.Finished"/>, <see cref="EngineState.Error"/>, or <see cref="EngineState.Init"/> after a reset.</returns>
    /// <exception cref="InvalidOperationException">The engine is in INIT and the model or a slot's stream is missing.</exception>
    public async Task<EngineState> RunAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state == EngineState.Init && _run is null)
            {
                Start();
            }
        }

        Task<EngineState> completion = Completion;
        using (cancellationToken.Register(static s => ((ScoringEngine)s!).RequestStop(), this))
        {
            return await completion.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops gracefully: every input stops reading; what was already read is scored, outputs are flushed and
    /// completed, and the engine ends FINISHED. A paused engine resumes to drain. Returns at once when no run is going.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (the engine keeps draining; dispose or reset it to abandon the work).</param>
    /// <returns>A task that completes with the final state.</returns>
    public async Task<EngineState> StopAsync(CancellationToken cancellationToken = default)
    {
        Task<EngineState> completion;
        lock (_gate)
        {
            if (_run is null)
            {
                return _state;
            }

            completion = _completion.Task;
        }

        RequestStop();
        return await completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pauses processing: inputs stop once their bounded buffers are full. In INIT the pause takes effect when the engine starts (it goes straight to PAUSED).</summary>
    /// <exception cref="InvalidOperationException">The engine is finishing, finished, in error, or stopping.</exception>
    public void Pause()
    {
        EngineState previous;
        lock (_gate)
        {
            RequireState("pause", EngineState.Init, EngineState.Running, EngineState.Paused);
            if (_run is { StopRequested: true })
            {
                throw new InvalidOperationException("Cannot pause while the engine is stopping.");
            }

            if (_state == EngineState.Init)
            {
                _pauseRequested = true;
                return;
            }

            if (_state == EngineState.Paused)
            {
                return;
            }

            _unpaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            previous = SetStateLocked(EngineState.Paused);
        }

        Raise(previous, EngineState.Paused);
    }

    /// <summary>Resumes processing after <see cref="Pause"/> (in INIT, cancels a requested pause).</summary>
    /// <exception cref="InvalidOperationException">The engine is finishing, finished or in error.</exception>
    public void Unpause()
    {
        EngineState previous;
        lock (_gate)
        {
            RequireState("unpause", EngineState.Init, EngineState.Paused, EngineState.Running);
            _pauseRequested = false;
            if (_state != EngineState.Paused)
            {
                return;
            }

            previous = SetStateLocked(EngineState.Running);
            _unpaused.TrySetResult();
        }

        Raise(previous, EngineState.Running);
    }

    /// <summary>
    /// Returns to INIT from any state: stops a run at once (abandoning records in flight; outputs that were not
    /// completed are aborted), unloads the model and detaches every stream. <see cref="Completion"/> of an
    /// interrupted run completes with <see cref="EngineState.Init"/>.
    /// </summary>
    /// <returns>A task that completes when reset.</returns>
    public async Task ResetAsync()
    {
        Run? run;
        lock (_gate)
        {
            run = _run;
            if (run is not null)
            {
                run.Resetting = true;
            }

            _unpaused.TrySetResult();
        }

        if (run is not null)
        {
            await run.AbortAsync().ConfigureAwait(false);
        }

        EngineState previous;
        lock (_gate)
        {
            while (_commands.TryDequeue(out Replacement? command))
            {
                _ = ((IAsyncDisposable)command.Stream).DisposeAsync().AsTask();
            }

            _slots.Clear();
            _invoker = null;
            _modelName = null;
            _run = null;
            _error = null;
            _pauseRequested = false;
            _unpaused = Completed();
            _rejections.Clear();
            _modelErrors.Clear();
            _completion.TrySetResult(EngineState.Init);
            _completion = NewCompletion();
            previous = SetStateLocked(EngineState.Init);
        }

        Raise(previous, EngineState.Init);
    }

    /// <summary>Takes a snapshot of the engine: state, every slot's stream, EOF flag and counters, recent rejections and model errors.</summary>
    /// <returns>The snapshot.</returns>
    public EngineInspection Inspect()
    {
        lock (_gate)
        {
            var slots = new List<SlotInspection>(_slots.Count);
            foreach (EngineSlot s in _slots.Values)
            {
                CounterTotals c = s.Totals();
                slots.Add(new SlotInspection(s.Slot, s.IsInput, s.Name, s.TransportDisplayName, s.Descriptor, s.Eof,
                    c.Records, c.Bytes, c.RejectedByEncoding, c.RejectedBySchema, c.Oversized, Volatile.Read(ref s.ModelErrors),
                    Volatile.Read(ref s.PendingRecords)) { Undelivered = c.Undelivered, Stopped = s.Stopped });
            }

            return new EngineInspection(_state, _modelName, slots, [.. _rejections], [.. _modelErrors], _error);
        }
    }

    /// <summary>Stops a run at once (as <see cref="ResetAsync"/> does, ending in ERROR) and releases the engine's resources.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Run? run;
        lock (_gate)
        {
            run = _run;
            if (run is not null)
            {
                run.Disposing = true;
            }

            _unpaused.TrySetResult();
        }

        if (run is not null)
        {
            await run.AbortAsync().ConfigureAwait(false);
        }

        _metrics.Dispose();
    }

    private void RequestStop()
    {
        Run? run;
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
        ArmStopDeadline(run);
    }

    /// <summary>Bounds a graceful stop: past LingerTime + <see cref="EngineOptions.StopTimeout"/> it is abandoned.</summary>
    private void ArmStopDeadline(Run run)
    {
        TimeSpan timeout = _options.StopTimeout;
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        long linger = run.OutputSlots.Select(s => s.Descriptor.LingerTime ?? 0).DefaultIfEmpty(0).Max();
        if (timeout.TotalDays + TimeSpan.FromMilliseconds(linger).TotalDays > 24)
        {
            return; // beyond what a timer can wait (49 days) in practice: no limit
        }

        TimeSpan limit = timeout + TimeSpan.FromMilliseconds(linger);
        string description = $"{limit.TotalSeconds:0.###} s (LingerTime {linger} ms + StopTimeout {timeout.TotalSeconds:0.###} s)";
        lock (_gate)
        {
            if (run.Ended || run.StopTimer is not null)
            {
                return;
            }

            run.StopTimer = _options.TimeProvider.CreateTimer(_ => AbandonStop(run, description), null, limit, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The stop took too long: score and deliver nothing more, abort what is not complete, end in ERROR.</summary>
    private void AbandonStop(Run run, string limit)
    {
        bool cancel;
        lock (_gate)
        {
            if (run.Ended)
            {
                return;
            }

            cancel = !run.BodyDone; // after the body only closing is left: bound it, nothing is lost
            if (cancel)
            {
                _error ??= $"The stop did not finish within {limit} and was abandoned: records already read but not scored are not acknowledged "
                    + "(a Kafka input reads them again), and outputs that were not completed were aborted (what they had not delivered is counted as undelivered).";
            }
        }

        Log.StopAbandoned(_logger, limit, cancel ? "draining, scoring or delivering did not finish" : "closing the streams did not finish");
        if (cancel)
        {
            try
            {
                run.Hard.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        run.Abandoned.TrySetResult();
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

        int[] missing = _invoker.Model.Slots.Select(s => s.Slot).Where(s => !_slots.ContainsKey(s)).Order().ToArray();
        return missing.Length > 0 ? $"no stream is attached to slot {string.Join(", ", missing)}" : null;
    }

    private void StartLocked(bool autoStarted = false)
    {
        var run = new Run(_invoker!, [.. _slots.Values], _options.TimeProvider) { AutoStarted = autoStarted };
        _run = run;
        run.Task = Task.Run(() => RunCoreAsync(run), CancellationToken.None);
    }

    private async Task RunCoreAsync(Run run)
    {
        EngineState final = EngineState.Error;
        try
        {
            final = await RunBodyAsync(run).ConfigureAwait(false);
            lock (_gate)
            {
                run.BodyDone = true;
                if (run.Abandoned.Task.IsCompleted)
                {
                    final = EngineState.Error; // abandoned while finishing: some of it may not have been delivered
                }
            }
        }
        catch (OperationCanceledException) when (run.Hard.IsCancellationRequested)
        {
            lock (_gate)
            {
                _error ??= run.Disposing ? "The engine was disposed while running." : "The engine was reset while running.";
            }
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _error ??= ex.Message;
            }

            Log.EngineFailed(_logger, ex.Message, ex);
        }
        finally
        {
            await CleanUpBoundedAsync(run).ConfigureAwait(false);
        }

        EngineState before;
        lock (_gate)
        {
            run.Ended = true;
            run.StopTimer?.Dispose();
            if (run.Resetting)
            {
                return; // ResetAsync sets INIT and completes Completion
            }

            before = SetStateLocked(final);
            _completion.TrySetResult(final);
        }

        Raise(before, final);
    }

    /// <summary>Opens the streams, begins the model, runs the loop and finishes; returns the final state.</summary>
    private async Task<EngineState> RunBodyAsync(Run run)
    {
        CancellationToken hard = run.Hard.Token;
        int maxSlot = run.Slots.Count == 0 ? 1 : Math.Max(1, run.Slots.Max(s => s.Slot));
        var outputs = new EngineOutputs(maxSlot, _factory.Options.MaxBatchRecords, (slot, control, ex) => Log.ControlNotSupported(_logger, slot, control.Kind, ex.Message));
        run.Outputs = outputs;
        ModelInvoker invoker = run.Invoker;
        if (FileIdentity.FindOutputOverInput(run.Slots.Select(s => (s.Slot, s.Descriptor))) is { } sameFile)
        {
            // checked when attached; checked again before anything is opened, in case a link appeared since
            lock (_gate)
            {
                _error ??= sameFile;
            }

            return EngineState.Error;
        }

        invoker.Start(outputs, maxSlot, _options.TimeProvider);
        foreach (EngineSlot slot in run.Slots)
        {
            StreamOpenOptions open = OpenOptions(slot.Slot, slot.Name, invoker.Model.Slots);
            object stream = slot.IsInput ? _factory.CreateInput(slot.Descriptor, open) : _factory.CreateOutput(slot.Descriptor, open);
            lock (_gate)
            {
                if (stream is InputStream input)
                {
                    invoker.PrepareInput(input);
                    slot.Input = input;
                    slot.UseBatching(slot.Descriptor);
                }
                else
                {
                    slot.Output = (OutputStream)stream;
                }
            }
        }

        foreach (EngineSlot slot in run.OutputSlots)
        {
            await slot.Output!.OpenAsync(hard).ConfigureAwait(false);
            outputs.SetStream(slot.Slot, slot.Output);
        }

        try
        {
            await invoker.Model.BeginAsync(hard).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !hard.IsCancellationRequested)
        {
            OnModelError(new ModelError(-1, 0, "", $"{ex.GetType().Name}: {ex.Message} (in BeginAsync)"), alwaysStop: true);
            await CompleteOutputsAfterErrorAsync(run).ConfigureAwait(false);
            return EngineState.Error;
        }

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
        foreach (EngineSlot slot in run.InputSlots)
        {
            slot.Pump = StartPump(run, slot, slot.Input!, slot.Generation, after: null);
        }

        bool ok = await LoopAsync(run).ConfigureAwait(false);
        if (ok)
        {
            ok = await FinishAsync(run).ConfigureAwait(false);
        }
        else
        {
            await CompleteOutputsAfterErrorAsync(run).ConfigureAwait(false);
        }

        return ok ? EngineState.Finished : EngineState.Error;
    }

    /// <summary>The engine's loop: applies replacements, honours pause, scores batches as they arrive, closes batches by NagleTime, acknowledges inputs.</summary>
    private async Task<bool> LoopAsync(Run run)
    {
        CancellationToken hard = run.Hard.Token;
        EngineOutputs outputs = run.Outputs!;
        ChannelReader<Item> reader = run.Merged.Reader;
        TimeProvider time = _options.TimeProvider;
        Task<bool>? readable = null;
        run.LastAck = time.GetTimestamp();
        while (true)
        {
            hard.ThrowIfCancellationRequested();
            if (!_commands.IsEmpty)
            {
                await outputs.SendAsync(hard).ConfigureAwait(false);
                while (_commands.TryDequeue(out Replacement? command))
                {
                    if (!await ReplaceAsync(run, command).ConfigureAwait(false))
                    {
                        return false;
                    }
                }

                continue;
            }

            Task unpaused = UnpausedTask();
            if (!unpaused.IsCompleted)
            {
                await outputs.SendAsync(hard).ConfigureAwait(false);
                Task wake = run.ArmWake();
                if (_commands.IsEmpty)
                {
                    await Task.WhenAny(unpaused, wake).WaitAsync(hard).ConfigureAwait(false);
                }

                continue;
            }

            if (reader.TryRead(out Item item))
            {
                if (!await HandleAsync(run, item).ConfigureAwait(false))
                {
                    return false;
                }

                if (run.AcknowledgementDue(_options.AcknowledgeInterval))
                {
                    await AcknowledgeAsync(run).ConfigureAwait(false);
                }

                continue;
            }

            if (run.Active == 0 && TryEnterFinishing())
            {
                return true;
            }

            // Idle: nothing to score right now. Send what the model produced, acknowledge, close batches whose NagleTime is up.
            await outputs.SendAsync(hard).ConfigureAwait(false);
            if (run.AcknowledgementDue(_options.AcknowledgeInterval))
            {
                await AcknowledgeAsync(run).ConfigureAwait(false);
            }

            TimeSpan? wait = null;
            bool flushed = false;
            foreach (EngineSlot slot in run.InputSlots)
            {
                // a caller waiting for a record of the pending batch (REST round trip) never waits for NagleTime
                if (slot.PendingRecords > 0 && (run.Invoker.HasPendingReply(slot.Slot) ? 0 : slot.NagleTime) is { } nagle)
                {
                    TimeSpan left = TimeSpan.FromMilliseconds(nagle) - time.GetElapsedTime(slot.PendingSince);
                    if (left <= TimeSpan.Zero)
                    {
                        if (!await FlushSlotAsync(run, slot).ConfigureAwait(false))
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

            if (run.HasPendingAcknowledgements())
            {
                TimeSpan left = _options.AcknowledgeInterval - time.GetElapsedTime(run.LastAck);
                wait = wait is null || left < wait ? left : wait;
            }

            if (outputs.MustSend || wait <= TimeSpan.Zero)
            {
                continue;
            }

            Task armed = run.ArmWake();
            if (!_commands.IsEmpty || !UnpausedTask().IsCompleted)
            {
                continue;
            }

            readable ??= reader.WaitToReadAsync(hard).AsTask();
            if (!readable.IsCompleted)
            {
                if (wait is { } delay)
                {
                    using var timer = CancellationTokenSource.CreateLinkedTokenSource(hard);
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

    private async ValueTask<bool> HandleAsync(Run run, Item item)
    {
        EngineSlot slot = item.Slot;
        if (item.Batch is { } batch)
        {
            return await ProcessAsync(run, slot, item.Input, batch).ConfigureAwait(false);
        }

        if (item.Generation != slot.Generation)
        {
            // a replaced input has delivered everything it read
            if (item.Error is { } retiredError)
            {
                Log.RetiredStreamFailed(_logger, slot.Slot, retiredError.Message, retiredError);
            }

            return await RetireAsync(run, slot, item.Input).ConfigureAwait(false);
        }

        if (item.Error is { } error)
        {
            lock (_gate)
            {
                _error ??= $"slot {slot.Slot} ({slot.Name}): {error.Message}";
            }

            Log.EngineFailed(_logger, error.Message, error);
            return false;
        }

        lock (_gate)
        {
            slot.Stopped = item.Input.WasStopped;
            slot.Eof = !slot.Stopped;
        }

        run.Active--;
        Log.StreamAtEnd(_logger, slot.Slot, slot.Name);
        return await FlushSlotAsync(run, slot).ConfigureAwait(false);
    }

    /// <summary>Scores one input batch; control records close the slot's batch, and a pig passes through to every output.</summary>
    private static async ValueTask<bool> ProcessAsync(Run run, EngineSlot slot, InputStream input, RecordBatch batch)
    {
        CancellationToken hard = run.Hard.Token;
        using (batch)
        {
            int count = batch.Count;
            if (!batch.HasControl)
            {
                if (count > 0 && !await Score(run, slot, input, batch, 0, count, hard).ConfigureAwait(false))
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

                    if (i > start && !await Score(run, slot, input, batch, start, i, hard).ConfigureAwait(false))
                    {
                        return false;
                    }

                    start = i + 1;
                    if (!await FlushSlotAsync(run, slot).ConfigureAwait(false))
                    {
                        return false;
                    }

                    if (control.Kind == ControlKind.Pig)
                    {
                        run.Outputs!.EmitControlToAll(control);
                    }

                    if (input.AnswersCallers)
                    {
                        input.FindReply(batch.GetMetadata(i))?.OnScored([]); // a control record produces nothing for its caller
                    }
                }

                if (start < count && !await Score(run, slot, input, batch, start, count, hard).ConfigureAwait(false))
                {
                    return false;
                }
            }

            if (batch.LastMessage is { } last && input.NeedsAcknowledgement)
            {
                if (Volatile.Read(ref slot.PendingRecords) == 0)
                {
                    slot.PendingAck = (input, last);
                    slot.StagedAck = null;
                }
                else
                {
                    slot.StagedAck = (input, last);
                }
            }
        }

        return true;
    }

    /// <summary>Scores data records: an input that answers callers takes the invoker's reply path, every other the plain one.</summary>
    private static ValueTask<bool> Score(Run run, EngineSlot slot, InputStream input, RecordBatch batch, int start, int end, CancellationToken cancellationToken) =>
        input.AnswersCallers
            ? run.Invoker.ProcessWithRepliesAsync(slot, input, batch, start, end, cancellationToken)
            : run.Invoker.ProcessAsync(slot, input, batch, start, end, cancellationToken);

    private static ValueTask<bool> FlushSlotAsync(Run run, EngineSlot slot) =>
        run.Invoker.IsBatchModel ? run.Invoker.FlushAsync(slot, run.Hard.Token) : ValueTask.FromResult(true);

    /// <summary>Makes every output durable, then acknowledges the inputs whose records are scored (at-least-once).</summary>
    private async ValueTask AcknowledgeAsync(Run run)
    {
        CancellationToken hard = run.Hard.Token;
        run.LastAck = _options.TimeProvider.GetTimestamp();
        if (!run.HasPendingAcknowledgements())
        {
            return;
        }

        await run.Outputs!.SendAsync(hard).ConfigureAwait(false);
        foreach (EngineSlot slot in run.OutputSlots)
        {
            await slot.Output!.FlushAsync(hard).ConfigureAwait(false);
        }

        await AcknowledgeInputsAsync(run).ConfigureAwait(false);
    }

    private static async ValueTask AcknowledgeInputsAsync(Run run)
    {
        foreach (EngineSlot slot in run.InputSlots)
        {
            if (slot.PendingAck is { } ack)
            {
                slot.PendingAck = null;
                await ack.Input.AcknowledgeAsync(ack.Last, run.Hard.Token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every input is at end of stream: close pending batches, call the model's end, complete the outputs (LingerTime), acknowledge.</summary>
    private async ValueTask<bool> FinishAsync(Run run)
    {
        CancellationToken hard = run.Hard.Token;
        bool ok = true;
        foreach (EngineSlot slot in run.InputSlots)
        {
            if (!await FlushSlotAsync(run, slot).ConfigureAwait(false))
            {
                ok = false;
                break;
            }
        }

        if (ok)
        {
            try
            {
                await run.Invoker.Model.EndAsync(run.Outputs!, hard).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !hard.IsCancellationRequested)
            {
                ok = OnModelError(new ModelError(-1, 0, "", $"{ex.GetType().Name}: {ex.Message} (in EndAsync)"));
            }
        }

        if (ok && JudgeRejections(run) is { } tooMany)
        {
            // too many rejected records: the run fails before its outputs are completed
            lock (_gate)
            {
                _error ??= tooMany;
            }

            ok = false;
        }

        if (!ok)
        {
            await CompleteOutputsAfterErrorAsync(run).ConfigureAwait(false);
            return false;
        }

        foreach (EngineSlot slot in run.OutputSlots)
        {
            await slot.Output!.CompleteAsync(run.Outputs!.Take(slot.Slot), hard).ConfigureAwait(false);
            lock (_gate)
            {
                slot.Eof = true;
            }
        }

        // the outputs are complete (durable): everything read can be acknowledged
        await AcknowledgeInputsAsync(run).ConfigureAwait(false);
        return true;
    }

    /// <summary>After an error, completes the outputs with what was produced so far (best effort; failures are logged).</summary>
    private async ValueTask CompleteOutputsAfterErrorAsync(Run run)
    {
        foreach (EngineSlot slot in run.OutputSlots)
        {
            OutputBatch? last = run.Outputs!.Take(slot.Slot);
            if (!slot.Output!.HasData && last is not { Count: > 0 })
            {
                // Nothing was written: the output is not completed but aborted when disposed, so a run that fails
                // before its first record leaves no empty output behind (a file it created is removed).
                last?.Dispose();
                continue;
            }

            try
            {
                await slot.Output!.CompleteAsync(last, run.Hard.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    slot.Eof = true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !run.Hard.IsCancellationRequested)
            {
                Log.OutputNotCompleted(_logger, slot.Slot, ex.Message, ex);
            }
        }
    }

    /// <summary>Closes the streams; once a stop is abandoned, waits at most 5 s more and lets the rest close in the background.</summary>
    private async Task CleanUpBoundedAsync(Run run)
    {
        Task cleanup = CleanUpAsync(run);
        Task abandoned = run.Abandoned.Task;
        if (await Task.WhenAny(cleanup, abandoned).ConfigureAwait(false) == cleanup)
        {
            await cleanup.ConfigureAwait(false);
            return;
        }

        TimeSpan budget = TimeSpan.FromSeconds(5);
        try
        {
            await cleanup.WaitAsync(budget, _options.TimeProvider).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.StreamsStillClosing(_logger, budget.TotalSeconds);
            _ = cleanup.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task CleanUpAsync(Run run)
    {
        run.Outputs?.DiscardPending();
        run.StopReading();
        await run.Hard.CancelAsync().ConfigureAwait(false); // releases pumps waiting on the merged channel
        foreach (EngineSlot slot in run.Slots)
        {
            if (slot.Pump is { } pump)
            {
                await pump.ConfigureAwait(false);
            }
        }

        while (run.Merged.Reader.TryRead(out Item item))
        {
            item.Batch?.Dispose();
        }

        // Outputs first: an output's undelivered records are counted when it is released, which must not wait behind an
        // input that is slow to close (stdin blocked in a read, a Kafka consumer waiting for its coordinator).
        foreach (EngineSlot slot in run.Slots.OrderBy(s => s.IsInput))
        {
            List<InputStream> retiring;
            lock (_gate)
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

        while (_commands.TryDequeue(out Replacement? command))
        {
            await ((IAsyncDisposable)command.Stream).DisposeAsync().ConfigureAwait(false);
        }
    }

    private static Task StartPump(Run run, EngineSlot slot, InputStream input, int generation, Task? after)
    {
        CancellationToken hard = run.Hard.Token;
        ChannelWriter<Item> merged = run.Merged.Writer;
        CancellationTokenRegistration stop = run.Stop.Token.Register(static s => ((InputStream)s!).StopReading(), input);
        return Task.Run(async () =>
        {
            using (stop)
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
                            await merged.WriteAsync(new Item(slot, generation, input, batch, null), hard).ConfigureAwait(false);
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
                    await merged.WriteAsync(new Item(slot, generation, input, null, failure), hard).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // reset or disposed
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>Applies a stream replacement (in the engine loop, between batches).</summary>
    private async ValueTask<bool> ReplaceAsync(Run run, Replacement command)
    {
        CancellationToken hard = run.Hard.Token;
        EngineSlot slot = run.Slots.First(s => s.Slot == command.Slot);
        if (command.Stream is InputStream input)
        {
            InputStream old = slot.Input!;
            bool oldDone;
            Task? oldPump = slot.Pump;
            lock (_gate)
            {
                oldDone = slot.Eof || slot.Stopped;
                slot.Retiring.Add(old);
                slot.Descriptor = command.Descriptor;
                slot.Name = command.Name;
                slot.Input = input;
                slot.Generation++;
                slot.Eof = false;
                slot.Stopped = false;
                slot.UseBatching(command.Descriptor);
            }

            Log.StreamReplaced(_logger, slot.Slot, command.Name);
            if (oldDone)
            {
                run.Active++;
                if (!await RetireAsync(run, slot, old).ConfigureAwait(false))
                {
                    return false;
                }
            }
            else
            {
                old.StopReading(); // what it read still arrives (older generation), then it is retired
            }

            slot.Pump = StartPump(run, slot, input, slot.Generation, after: oldPump);
            return true;
        }

        var output = (OutputStream)command.Stream;
        OutputStream previous = slot.Output!;
        try
        {
            await previous.CompleteAsync(run.Outputs!.Take(slot.Slot), hard).ConfigureAwait(false);
            await output.OpenAsync(hard).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !hard.IsCancellationRequested)
        {
            lock (_gate)
            {
                _error ??= $"slot {slot.Slot}: replacing the output failed: {ex.Message}";
            }

            Log.EngineFailed(_logger, ex.Message, ex);
            await output.DisposeAsync().ConfigureAwait(false);
            return false;
        }

        lock (_gate)
        {
            slot.Retired = slot.Retired.Add(previous.Counters);
            slot.Descriptor = command.Descriptor;
            slot.Name = command.Name;
            slot.Output = output;
        }

        run.Outputs!.SetStream(slot.Slot, output);
        await previous.DisposeAsync().ConfigureAwait(false);
        Log.StreamReplaced(_logger, slot.Slot, command.Name);
        return true;
    }

    /// <summary>A replaced input has delivered everything it read: close the slot's batch, acknowledge what it read, release it.</summary>
    private async ValueTask<bool> RetireAsync(Run run, EngineSlot slot, InputStream old)
    {
        if (!await FlushSlotAsync(run, slot).ConfigureAwait(false))
        {
            return false;
        }

        if (slot.PendingAck?.Input == old || slot.StagedAck?.Input == old)
        {
            await AcknowledgeAsync(run).ConfigureAwait(false);
        }

        lock (_gate)
        {
            slot.Retiring.Remove(old);
            slot.Retired = slot.Retired.Add(old.Counters);
        }

        await old.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    private bool TryEnterFinishing()
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

    private Task UnpausedTask()
    {
        lock (_gate)
        {
            return _unpaused.Task;
        }
    }

    private StreamOpenOptions OpenOptions(int slot, string name, IReadOnlyList<SlotDefinition>? definitions) => new()
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

    private bool OnModelError(ModelError error) => OnModelError(error, alwaysStop: false);

    private bool OnModelError(ModelError error, bool alwaysStop)
    {
        Log.ModelFailed(_logger, error);
        lock (_gate)
        {
            Enqueue(_modelErrors, error);
            if (_slots.TryGetValue(error.Slot, out EngineSlot? slot))
            {
                Interlocked.Increment(ref slot.ModelErrors);
            }

            if (alwaysStop || _options.OnModelError == ModelErrorPolicy.Stop)
            {
                _error ??= error.ToString();
                return false;
            }
        }

        return true;
    }

    private void OnRejected(RejectedRecord rejection)
    {
        Log.RecordRejected(_logger, rejection);
        bool stop = false;
        lock (_gate)
        {
            Enqueue(_rejections, rejection);
            if (_options.MaxRejectedRecords is { } max && _run is { } run && ++run.Rejected > max && run.RejectionLimitCrossed is null)
            {
                run.RejectionLimitCrossed = string.Create(CultureInfo.InvariantCulture,
                    $"more than {max:N0} records were rejected (the limit is {max:N0}); reading stopped at slot {rejection.Slot} record {rejection.RecordNumber:N0}, and what was read before was scored");
                stop = true;
            }
        }

        if (stop)
        {
            RequestStop(); // graceful: no more reading, what was read is scored and flushed, then the run ends in ERROR
        }
    }

    /// <summary>Why the run fails for its rejected records (<see cref="EngineOptions.MaxRejectedRecords"/>, <see cref="EngineOptions.MaxRejectedPercent"/>, <see cref="EngineOptions.FailWhenEveryRecordIsRejected"/>), or null.</summary>
    private string? JudgeRejections(Run run)
    {
        if (run.RejectionLimitCrossed is { } crossed)
        {
            return crossed;
        }

        long read = 0, rejected = 0, rejectedInputs = 0;
        lock (_gate)
        {
            foreach (EngineSlot slot in run.Slots)
            {
                CounterTotals totals = slot.Totals();
                long slotRejected = totals.RejectedByEncoding + totals.RejectedBySchema;
                rejected += slotRejected;
                if (slot.IsInput)
                {
                    read += totals.Records + slotRejected;
                    rejectedInputs += slotRejected;
                }
            }
        }

        if (_options.FailWhenEveryRecordIsRejected && read > 0 && rejectedInputs == read)
        {
            return string.Create(CultureInfo.InvariantCulture, $"nothing was scored: every one of the {read:N0} records read was rejected (see the rejected records)");
        }

        if (_options.MaxRejectedPercent is { } percent && read > 0 && rejected * 100.0 > percent * read)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{rejected:N0} of the {read:N0} records read were rejected ({rejected * 100.0 / read:0.##}%), more than the limit of {percent}%");
        }

        return null;
    }

    private void Enqueue<T>(Queue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > _options.MaxReports)
        {
            queue.Dequeue();
        }
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

    private readonly record struct Item(EngineSlot Slot, int Generation, InputStream Input, RecordBatch? Batch, Exception? Error);

    private sealed record Replacement(int Slot, StreamDescriptor Descriptor, string Name, object Stream);

    /// <summary>One run of the engine, from start to FINISHED/ERROR (or a reset).</summary>
    private sealed class Run
    {
        private readonly TimeProvider _time;

        /// <summary>Gets a value indicating whether the engine started this run by itself (<see cref="EngineOptions.AutoStart"/>).</summary>
        public bool AutoStarted { get; init; }
        private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Run(ModelInvoker invoker, List<EngineSlot> slots, TimeProvider time)
        {
            Invoker = invoker;
            Slots = slots;
            InputSlots = [.. slots.Where(s => s.IsInput)];
            OutputSlots = [.. slots.Where(s => !s.IsInput)];
            Active = InputSlots.Length;
            _time = time;
        }

        public ModelInvoker Invoker { get; }

        public List<EngineSlot> Slots { get; }

        public EngineSlot[] InputSlots { get; }

        public EngineSlot[] OutputSlots { get; }

        /// <summary>Cancelled by reset and dispose: abandons everything.</summary>
        public CancellationTokenSource Hard { get; } = new();

        /// <summary>Cancelled by a graceful stop: inputs stop reading (registered per input).</summary>
        public CancellationTokenSource Stop { get; } = new();

        /// <summary>Every input batch, from every pump, in the order the engine scores them.</summary>
        public Channel<Item> Merged { get; } = Channel.CreateBounded<Item>(new BoundedChannelOptions(MergedCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        public EngineOutputs? Outputs { get; set; }

        public Task? Task { get; set; }

        /// <summary>Inputs of the current generation not yet at end of stream (engine task only).</summary>
        public int Active { get; set; }

        public long LastAck { get; set; }

        public bool StopRequested { get; set; }

        /// <summary>Fires when a graceful stop has taken longer than LingerTime + StopTimeout (under the engine's lock).</summary>
        public ITimer? StopTimer { get; set; }

        /// <summary>Completed when the stop was abandoned.</summary>
        public TaskCompletionSource Abandoned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The body (open, loop, finish) has returned; only closing the streams is left (under the engine's lock).</summary>
        public bool BodyDone { get; set; }

        /// <summary>The run is over (under the engine's lock).</summary>
        public bool Ended { get; set; }

        /// <summary>Rejected records of this run, counted for <see cref="EngineOptions.MaxRejectedRecords"/> (under the engine's lock).</summary>
        public long Rejected { get; set; }

        /// <summary>Why the run stopped when <see cref="EngineOptions.MaxRejectedRecords"/> was crossed, or null.</summary>
        public string? RejectionLimitCrossed { get; set; }

        public bool Resetting { get; set; }

        public bool Disposing { get; set; }

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

        public void Signal() => Volatile.Read(ref _wake).TrySetResult();

        public bool HasPendingAcknowledgements()
        {
            foreach (EngineSlot slot in InputSlots)
            {
                if (slot.PendingAck is not null)
                {
                    return true;
                }
            }

            return false;
        }

        public bool AcknowledgementDue(TimeSpan interval) => _time.GetElapsedTime(LastAck) >= interval && HasPendingAcknowledgements();
    }
}
