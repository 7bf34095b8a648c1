using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
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
/// <para>Inside, one <see cref="EngineRun"/> per run opens the streams and runs the <see cref="RunLoop"/>; an
/// <see cref="InputPump"/> per input feeds it; <see cref="Acknowledgements"/> keeps delivery at-least-once. This class holds
/// the control API and the state machine.</para>
/// </remarks>
public sealed partial class ScoringEngine : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly StreamFactory _factory;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly EngineMetrics _metrics;
    private readonly SlotTable _slots = new();
    private readonly EngineReports _reports;
    private readonly ConcurrentQueue<Replacement> _commands = new();
    private ModelInvoker? _invoker;
    private string? _modelName;
    private EngineState _state;
    private bool _pauseRequested;
    private TaskCompletionSource _unpaused = Completed();
    private TaskCompletionSource<EngineState> _completion = NewCompletion();
    private EngineRun? _run;
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

        _reports = new EngineReports(_options.MaxReports);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("FastScore.Streams.Engine");
        _metrics = new EngineMetrics(meterFactory, () => Inspect().Slots, () => State, QueueDepths);
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
        ModelInvoker invoker = ModelInvoker.Create(model, error => ReportModelError(error, alwaysStop: false));
        IReadOnlyList<SlotDefinition> definitions = model.Slots;
        // plain loops, no LINQ over int: framework generics over value types are JIT-compiled at start-up (SlotTable)
        var slots = new List<int>(definitions.Count);
        bool invalid = false;
        foreach (SlotDefinition definition in definitions)
        {
            invalid |= definition.Slot < 0 || slots.Contains(definition.Slot);
            slots.Add(definition.Slot);
        }

        if (invalid)
        {
            throw new ArgumentException($"{model.GetType().Name} declares an invalid slot list: {string.Join(", ", slots)} (slots must be distinct and not negative).", nameof(model));
        }

        lock (_gate)
        {
            RequireNotStarted("load a model");
            var unused = new List<int>();
            foreach (EngineSlot attached in _slots.Values)
            {
                if (!slots.Contains(attached.Slot))
                {
                    unused.Add(attached.Slot);
                }
            }

            if (unused.Count > 0)
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
        EngineRun? run;
        StreamOpenOptions open;
        lock (_gate)
        {
            if (_invoker is { } invoker && !UsesSlot(invoker.Model.Slots, slot))
            {
                throw new ArgumentException(
                    $"The model {_modelName} does not use slot {slot} (it uses {string.Join(", ", invoker.Model.Slots.Select(s => s.Slot).Order())}).", nameof(slot));
            }

            RequireState("attach a stream", EngineState.Init, EngineState.Running, EngineState.Paused);
            var streams = new FileIdentity.SlotStream[_slots.Count + 1]; // an array: List<T> over a struct is JIT-compiled
            int count = 0;
            foreach (EngineSlot s in _slots.Values)
            {
                if (s.Slot != slot)
                {
                    streams[count++] = new FileIdentity.SlotStream(s.Slot, s.Descriptor);
                }
            }

            streams[count++] = new FileIdentity.SlotStream(slot, descriptor);
            if (FileIdentity.FindOutputOverInput(streams.AsSpan(0, count)) is { } sameFile)
            {
                throw new ArgumentException(sameFile, nameof(descriptor));
            }

            run = _run;
            open = OpenOptions(slot, name, _invoker?.Model.Slots);
            if (run is null)
            {
                _factory.Validate(descriptor, input, open);
                _slots.Set(new EngineSlot(slot, descriptor, name));
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

    private static bool UsesSlot(IReadOnlyList<SlotDefinition> definitions, int slot)
    {
        foreach (SlotDefinition definition in definitions)
        {
            if (definition.Slot == slot)
            {
                return true;
            }
        }

        return false;
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
        EngineRun? run;
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
            _pauseRequested = false;
            _unpaused = Completed();
            _reports.Clear();
            _completion.TrySetResult(EngineState.Init);
            _completion = NewCompletion();
            previous = SetStateLocked(EngineState.Init);
        }

        Raise(previous, EngineState.Init);
    }

    /// <summary>Gets the engine's instruments.</summary>
    internal EngineMetrics Metrics => _metrics;

    /// <summary>The batches waiting in each slot's stream channel (for the queue depth gauge).</summary>
    private List<(EngineSlot Slot, int Depth)> QueueDepths()
    {
        lock (_gate)
        {
            var depths = new List<(EngineSlot, int)>(_slots.Count);
            foreach (EngineSlot s in _slots.Values)
            {
                if (s.Input is { } input)
                {
                    depths.Add((s, input.QueuedBatches));
                }
                else if (s.Output is { } output)
                {
                    depths.Add((s, output.QueuedBatches));
                }
            }

            return depths;
        }
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
                    c.Records, c.Bytes, c.RejectedByEncoding, c.RejectedBySchema, c.Oversized, s.ModelErrors,
                    s.PendingRecords) { Undelivered = c.Undelivered, Stopped = s.Stopped });
            }

            return new EngineInspection(_state, _modelName, slots, _reports.Rejections, _reports.ModelErrors, _run?.Error);
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

        EngineRun? run;
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
}
