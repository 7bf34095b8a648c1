using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
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
/// INIT → RUNNING (⇄ PAUSED) → FINISHING → FINISHED, or ERROR.
/// </summary>
/// <remarks>
/// Thread-safe: control methods may be called from any thread. The model itself is called from one task at a time.
/// Records move from inputs to the model and from the model to outputs in batches through bounded channels, so a
/// slow output slows the inputs and memory stays bounded.
/// </remarks>
public sealed class ScoringEngine : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly StreamFactory _factory;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly EngineMetrics _metrics;
    private readonly SortedDictionary<int, SlotState> _slots = [];
    private readonly Queue<RejectedRecord> _rejections = new();
    private readonly Queue<ModelError> _modelErrors = new();
    private readonly ConcurrentQueue<Func<CancellationToken, ValueTask>> _commands = new();
    private ModelInvoker? _invoker;
    private string? _modelName;
    private EngineState _state;
    private bool _pauseRequested;
    private TaskCompletionSource _unpaused = Completed();
    private TaskCompletionSource<EngineState> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _hard;
    private CancellationTokenSource? _stopReading;
    private Channel<Item>? _merged;
    private Task? _run;
    private string? _error;
    private int _active;

    /// <summary>Creates an engine.</summary>
    /// <param name="factory">Builds the streams; <see langword="null"/> uses the built-ins.</param>
    /// <param name="options">Engine settings.</param>
    /// <param name="loggerFactory">Logging, if any.</param>
    /// <param name="meterFactory">Creates the <c>FastScore.Streams</c> meter, if any.</param>
    public ScoringEngine(StreamFactory? factory = null, EngineOptions? options = null, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        _factory = factory ?? new StreamFactory();
        _options = options ?? new EngineOptions();
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

    /// <summary>Gets the loaded model, or <see langword="null"/>.</summary>
    public IModel? Model => _invoker?.Model;

    /// <summary>Gets a task that completes with <see cref="EngineState.Finished"/> or <see cref="EngineState.Error"/> when the current run ends.</summary>
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

    /// <summary>Loads the model. Allowed in INIT only (reset first after FINISHED).</summary>
    /// <param name="model">The model.</param>
    /// <param name="name">Its display name; the type name by default.</param>
    /// <exception cref="InvalidOperationException">The engine is not in INIT, or a stream is attached to a slot the model does not use.</exception>
    /// <exception cref="ArgumentException">The model implements neither <see cref="IModel{TInput, TOutput}"/> nor <see cref="IBatchModel{TInput, TOutput}"/>, or declares a slot twice.</exception>
    public void LoadModel(IModel model, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelInvoker invoker = ModelInvoker.Create(model, OnModelError);
        var slots = model.Slots.Select(s => s.Slot).ToList();
        if (slots.Distinct().Count() != slots.Count || slots.Any(s => s < 0))
        {
            throw new ArgumentException($"{model.GetType().Name} declares an invalid slot list: {string.Join(", ", slots)}.", nameof(model));
        }

        lock (_gate)
        {
            RequireState("load a model", EngineState.Init);
            int[] unused = _slots.Keys.Where(k => !slots.Contains(k)).ToArray();
            if (unused.Length > 0)
            {
                throw new InvalidOperationException($"A stream is attached to slot {string.Join(", ", unused)}, which {model.GetType().Name} does not use (it uses {string.Join(", ", slots.Order())}). Detach it first.");
            }

            _invoker = invoker;
            _modelName = name ?? model.GetType().Name;
        }

        StartIfReady();
    }

    /// <summary>
    /// Attaches a stream to a slot. While running, attaching to a slot that has a stream replaces it at the next batch
    /// boundary (nothing read is lost).
    /// </summary>
    /// <param name="slot">The slot: even for an input, odd for an output.</param>
    /// <param name="descriptor">The stream's descriptor.</param>
    /// <param name="name">The stream's display name.</param>
    /// <exception cref="ArgumentException">The transport cannot serve that direction, or the model does not use the slot.</exception>
    /// <exception cref="InvalidOperationException">The engine is finishing, finished or in error.</exception>
    public void Attach(int slot, StreamDescriptor descriptor, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        bool input = slot % 2 == 0;
        if (input && !descriptor.Transport.CanRead)
        {
            throw new ArgumentException($"Slot {slot} is an input slot (even), but transport '{descriptor.Transport.Type}' cannot be read from.", nameof(slot));
        }

        if (!input && !descriptor.Transport.CanWrite)
        {
            throw new ArgumentException($"Slot {slot} is an output slot (odd), but transport '{descriptor.Transport.Type}' cannot be written to.", nameof(slot));
        }

        bool running;
        lock (_gate)
        {
            if (_invoker is { } invoker && !invoker.Model.Slots.Any(s => s.Slot == slot))
            {
                throw new ArgumentException($"The model {_modelName} does not use slot {slot} (it uses {string.Join(", ", invoker.Model.Slots.Select(s => s.Slot).Order())}).", nameof(slot));
            }

            RequireState("attach a stream", EngineState.Init, EngineState.Running, EngineState.Paused);
            running = _state is EngineState.Running or EngineState.Paused;
            var state = new SlotState(slot, descriptor, name ?? $"{descriptor.Transport.Type}-{slot}");
            if (!running)
            {
                _slots[slot] = state;
            }
            else
            {
                _commands.Enqueue(ct => ReplaceAsync(state, ct));
                _merged?.Writer.TryWrite(Item.Wake);
            }
        }

        Log.StreamAttached(_logger, slot, name ?? descriptor.Transport.Type, descriptor.Transport.Type);
        if (!running)
        {
            StartIfReady();
        }
    }

    /// <summary>Detaches the stream of a slot. Refused while the engine runs (replace it instead).</summary>
    /// <param name="slot">The slot.</param>
    /// <returns><see langword="true"/> when a stream was detached; <see langword="false"/> when none was attached.</returns>
    /// <exception cref="InvalidOperationException">The engine is running or paused.</exception>
    public bool Detach(int slot)
    {
        lock (_gate)
        {
            if (_state is EngineState.Running or EngineState.Paused or EngineState.Finishing)
            {
                throw new InvalidOperationException($"Cannot detach slot {slot} while the engine is {_state.ToString().ToUpperInvariant()}; attach another stream to replace it.");
            }

            return _slots.Remove(slot);
        }
    }

    /// <summary>Starts the engine (when <see cref="EngineOptions.AutoStart"/> is off, or to get a clear error about what is missing).</summary>
    /// <exception cref="InvalidOperationException">The model or a slot's stream is missing, or the engine is not in INIT.</exception>
    public void Start()
    {
        lock (_gate)
        {
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

    /// <summary>Starts the engine if needed and waits until it is FINISHED or in ERROR. Cancelling stops reading, drains and flushes what was read, then returns.</summary>
    /// <param name="cancellationToken">Stops the run gracefully.</param>
    /// <returns>The final state.</returns>
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
        using (cancellationToken.Register(() => _ = StopReadingAsync()))
        {
            return await completion.ConfigureAwait(false);
        }
    }

    /// <summary>Stops reading every input; what was already read is scored and flushed, then the engine finishes.</summary>
    /// <returns>A task that completes with the final state.</returns>
    public async Task<EngineState> StopAsync()
    {
        await StopReadingAsync().ConfigureAwait(false);
        return await Completion.ConfigureAwait(false);
    }

    /// <summary>Pauses processing. In INIT the pause takes effect when the engine starts.</summary>
    /// <exception cref="InvalidOperationException">The engine is finishing, finished or in error.</exception>
    public void Pause()
    {
        EngineState previous;
        lock (_gate)
        {
            RequireState("pause", EngineState.Init, EngineState.Running, EngineState.Paused);
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

    /// <summary>Resumes processing after <see cref="Pause"/>.</summary>
    /// <exception cref="InvalidOperationException">The engine is not paused or in INIT.</exception>
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

    /// <summary>Stops everything (abandoning work in flight), unloads the model, detaches every stream and returns to INIT. Allowed in any state.</summary>
    /// <returns>A task that completes when reset.</returns>
    public async Task ResetAsync()
    {
        Task? run;
        lock (_gate)
        {
            run = _run;
            _hard?.Cancel();
            _unpaused.TrySetResult();
        }

        if (run is not null)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // the run reports its own failure; reset goes on
            }
        }

        EngineState previous;
        lock (_gate)
        {
            _slots.Clear();
            _invoker = null;
            _modelName = null;
            _run = null;
            _error = null;
            _pauseRequested = false;
            _rejections.Clear();
            _modelErrors.Clear();
            _completion.TrySetResult(_state);
            _completion = new TaskCompletionSource<EngineState>(TaskCreationOptions.RunContinuationsAsynchronously);
            previous = SetStateLocked(EngineState.Init);
        }

        Raise(previous, EngineState.Init);
    }

    /// <summary>Takes a snapshot of the engine: state, every slot's stream and counters, recent rejections and model errors.</summary>
    /// <returns>The snapshot.</returns>
    public EngineInspection Inspect()
    {
        lock (_gate)
        {
            var slots = _slots.Values.Select(s =>
            {
                StreamCounters? c = s.Input?.Counters ?? s.Output?.Counters;
                string transport = s.Input?.TransportDisplayName ?? s.Output?.TransportDisplayName ?? s.Descriptor.Transport.Type;
                return new SlotInspection(s.Slot, s.IsInput, s.Name, transport, s.Descriptor, s.Eof,
                    c?.Records ?? 0, c?.Bytes ?? 0, c?.RejectedByEncoding ?? 0, c?.RejectedBySchema ?? 0, c?.Oversized ?? 0, Volatile.Read(ref s.ModelErrors));
            }).ToList();
            return new EngineInspection(_state, _modelName, slots, [.. _rejections], [.. _modelErrors], _error);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Task? run;
        lock (_gate)
        {
            run = _run;
            _hard?.Cancel();
            _unpaused.TrySetResult();
        }

        if (run is not null)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // disposing: nothing to report to
            }
        }

        _metrics.Dispose();
    }

    private async Task StopReadingAsync()
    {
        CancellationTokenSource? stop;
        List<InputStream> inputs;
        lock (_gate)
        {
            stop = _stopReading;
            inputs = [.. _slots.Values.Select(s => s.Input).OfType<InputStream>()];
        }

        if (stop is null || stop.IsCancellationRequested)
        {
            return;
        }

        // Inputs stop reading from their transports but still deliver what they framed; pumps run until each input ends.
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (InputStream input in inputs)
        {
            await input.StopReadingAsync().ConfigureAwait(false);
        }
    }

    private void StartIfReady()
    {
        lock (_gate)
        {
            if (_options.AutoStart && _state == EngineState.Init && _run is null && Missing() is null)
            {
                StartLocked();
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

    private void StartLocked()
    {
        _hard = new CancellationTokenSource();
        _stopReading = CancellationTokenSource.CreateLinkedTokenSource(_hard.Token);
        ModelInvoker invoker = _invoker!;
        List<SlotState> slots = [.. _slots.Values];
        CancellationToken hard = _hard.Token;
        _run = Task.Run(() => RunCoreAsync(invoker, slots, hard), CancellationToken.None);
    }

    private async Task RunCoreAsync(ModelInvoker invoker, List<SlotState> slots, CancellationToken hard)
    {
        var outputs = new EngineOutputs();
        EngineState final = EngineState.Finished;
        try
        {
            foreach (SlotState slot in slots)
            {
                Open(invoker, slot);
            }

            foreach (SlotState slot in slots.Where(s => !s.IsInput))
            {
                await slot.Output!.OpenAsync(hard).ConfigureAwait(false);
                outputs.SetStream(slot.Slot, slot.Output);
            }

            await invoker.Model.BeginAsync(hard).ConfigureAwait(false);
            EngineState previous;
            bool paused;
            lock (_gate)
            {
                paused = _pauseRequested;
                if (paused)
                {
                    _unpaused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                previous = SetStateLocked(paused ? EngineState.Paused : EngineState.Running);
            }

            Raise(previous, paused ? EngineState.Paused : EngineState.Running);

            _merged = Channel.CreateBounded<Item>(new BoundedChannelOptions(8) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            foreach (SlotState slot in slots.Where(s => s.IsInput))
            {
                StartPump(slot);
            }

            bool ok = await LoopAsync(invoker, outputs, hard).ConfigureAwait(false);
            if (ok)
            {
                lock (_gate)
                {
                    previous = SetStateLocked(EngineState.Finishing);
                }

                Raise(previous, EngineState.Finishing);
                foreach (SlotState slot in SlotsSnapshot().Where(s => s.IsInput))
                {
                    ok &= await invoker.FlushBatchAsync(slot.Slot, outputs, hard).ConfigureAwait(false);
                }

                try
                {
                    await invoker.Model.EndAsync(outputs, hard).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !hard.IsCancellationRequested)
                {
                    ok &= OnModelError(new ModelError(-1, 0, "", $"{ex.GetType().Name}: {ex.Message} (in EndAsync)"));
                }

                await AcknowledgeAsync(outputs, force: true, hard).ConfigureAwait(false);
            }
            else
            {
                await outputs.SendAsync(hard).ConfigureAwait(false);
            }

            foreach (SlotState slot in SlotsSnapshot().Where(s => !s.IsInput))
            {
                await slot.Output!.CompleteAsync(hard).ConfigureAwait(false);
                slot.Eof = true;
            }

            final = ok ? EngineState.Finished : EngineState.Error;
        }
        catch (OperationCanceledException) when (hard.IsCancellationRequested)
        {
            final = EngineState.Error;
            lock (_gate)
            {
                _error ??= "The engine was reset or disposed while running.";
            }
        }
        catch (Exception ex)
        {
            final = EngineState.Error;
            lock (_gate)
            {
                _error ??= ex.Message;
            }

            Log.EngineFailed(_logger, ex.Message, ex);
        }
        finally
        {
            outputs.DiscardPending();
            foreach (SlotState slot in SlotsSnapshot())
            {
                if (slot.PumpStop is { } stop)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                }
            }

            foreach (SlotState slot in SlotsSnapshot())
            {
                if (slot.Pump is { } pump)
                {
                    await pump.ConfigureAwait(false);
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
        }

        EngineState before;
        lock (_gate)
        {
            before = SetStateLocked(final);
            _completion.TrySetResult(final);
        }

        Raise(before, final);
    }

    private async Task<bool> LoopAsync(ModelInvoker invoker, EngineOutputs outputs, CancellationToken hard)
    {
        Channel<Item> merged = _merged!;
        TimeProvider time = _options.TimeProvider;
        long lastAck = time.GetTimestamp();
        var firstPending = new Dictionary<int, long>();
        _active = SlotsSnapshot().Count(s => s.IsInput);
        while (_active > 0)
        {
            Task unpaused;
            lock (_gate)
            {
                unpaused = _unpaused.Task;
            }

            if (!unpaused.IsCompleted)
            {
                await outputs.SendAsync(hard).ConfigureAwait(false);
                await unpaused.WaitAsync(hard).ConfigureAwait(false);
            }

            while (_commands.TryDequeue(out Func<CancellationToken, ValueTask>? command))
            {
                await outputs.SendAsync(hard).ConfigureAwait(false);
                await command(hard).ConfigureAwait(false);
            }

            if (!merged.Reader.TryRead(out Item item))
            {
                await outputs.SendAsync(hard).ConfigureAwait(false);
                await AcknowledgeAsync(outputs, force: false, hard).ConfigureAwait(false);
                TimeSpan? wait = NextNagle(invoker, firstPending, time);
                if (wait is { } w && w <= TimeSpan.Zero)
                {
                    if (!await FlushDueAsync(invoker, outputs, firstPending, time, hard).ConfigureAwait(false))
                    {
                        return false;
                    }

                    continue;
                }

                Task<bool> readable = merged.Reader.WaitToReadAsync(hard).AsTask();
                if (wait is { } delay)
                {
                    using var cts = CancellationTokenSource.CreateLinkedTokenSource(hard);
                    Task timer = Task.Delay(delay, time, cts.Token);
                    await Task.WhenAny(readable, timer).ConfigureAwait(false);
                    await cts.CancelAsync().ConfigureAwait(false);
                }
                else
                {
                    await Task.WhenAny(readable, unpaused.IsCompleted ? readable : unpaused).ConfigureAwait(false);
                }

                hard.ThrowIfCancellationRequested();
                continue;
            }

            if (item.Slot < 0)
            {
                continue; // a wake-up for commands
            }

            SlotState slot = item.State;
            if (item.Error is { } error)
            {
                lock (_gate)
                {
                    _error ??= $"slot {slot.Slot} ({slot.Name}): {error.Message}";
                }

                Log.EngineFailed(_logger, error.Message, error);
                return false;
            }

            if (item.Batch is null)
            {
                if (item.Generation == slot.Generation)
                {
                    slot.Eof = true;
                    _active--;
                    Log.StreamAtEnd(_logger, slot.Slot, slot.Name);
                    firstPending.Remove(slot.Slot);
                    if (!await invoker.FlushBatchAsync(slot.Slot, outputs, hard).ConfigureAwait(false))
                    {
                        return false;
                    }
                }

                continue;
            }

            if (!await ProcessAsync(invoker, slot, item.Input!, item.Batch, outputs, firstPending, time, hard).ConfigureAwait(false))
            {
                return false;
            }

            await outputs.SendAsync(hard).ConfigureAwait(false);
            if (time.GetElapsedTime(lastAck) >= _options.AcknowledgeInterval)
            {
                await AcknowledgeAsync(outputs, force: false, hard).ConfigureAwait(false);
                lastAck = time.GetTimestamp();
            }
        }

        return true;
    }

    private async ValueTask<bool> ProcessAsync(ModelInvoker invoker, SlotState slot, InputStream input, RecordBatch batch, EngineOutputs outputs,
        Dictionary<int, long> firstPending, TimeProvider time, CancellationToken hard)
    {
        using (batch)
        {
            int? watermark = input.Descriptor.Batching.Watermark;
            for (int i = 0; i < batch.Count; i++)
            {
                ControlRecord control = batch.GetControl(i);
                switch (control.Kind)
                {
                    case ControlKind.None:
                        if (!await invoker.OnRecordAsync(input, batch, i, outputs, hard).ConfigureAwait(false))
                        {
                            return false;
                        }

                        if (invoker.IsBatchModel)
                        {
                            int pending = invoker.PendingCount(slot.Slot);
                            if (pending == 1)
                            {
                                firstPending[slot.Slot] = time.GetTimestamp();
                            }

                            if (watermark is { } max && pending >= max)
                            {
                                firstPending.Remove(slot.Slot);
                                if (!await invoker.FlushBatchAsync(slot.Slot, outputs, hard).ConfigureAwait(false))
                                {
                                    return false;
                                }
                            }
                        }

                        break;
                    case ControlKind.Set:
                    case ControlKind.Pig:
                    case ControlKind.End:
                        firstPending.Remove(slot.Slot);
                        if (!await invoker.FlushBatchAsync(slot.Slot, outputs, hard).ConfigureAwait(false))
                        {
                            return false;
                        }

                        if (control.Kind == ControlKind.Pig)
                        {
                            outputs.EmitControlToAll(control);
                        }

                        break;
                }
            }

            if (batch.LastMessage is { } last && input.NeedsAcknowledgement)
            {
                slot.PendingAck = (input, last);
            }
        }

        return true;
    }

    private TimeSpan? NextNagle(ModelInvoker invoker, Dictionary<int, long> firstPending, TimeProvider time)
    {
        if (!invoker.IsBatchModel || firstPending.Count == 0)
        {
            return null;
        }

        TimeSpan? next = null;
        foreach ((int slotNumber, long since) in firstPending)
        {
            if (!_slots.TryGetValue(slotNumber, out SlotState? slot) || slot.Descriptor.Batching.NagleTime is not { } nagle)
            {
                continue;
            }

            TimeSpan left = TimeSpan.FromMilliseconds(nagle) - time.GetElapsedTime(since);
            next = next is null || left < next ? left : next;
        }

        return next;
    }

    private async ValueTask<bool> FlushDueAsync(ModelInvoker invoker, EngineOutputs outputs, Dictionary<int, long> firstPending, TimeProvider time, CancellationToken hard)
    {
        foreach ((int slotNumber, long since) in firstPending.ToArray())
        {
            if (_slots.TryGetValue(slotNumber, out SlotState? slot) && slot.Descriptor.Batching.NagleTime is { } nagle
                && time.GetElapsedTime(since) >= TimeSpan.FromMilliseconds(nagle))
            {
                firstPending.Remove(slotNumber);
                if (!await invoker.FlushBatchAsync(slotNumber, outputs, hard).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }

        await outputs.SendAsync(hard).ConfigureAwait(false);
        return true;
    }

    private async ValueTask AcknowledgeAsync(EngineOutputs outputs, bool force, CancellationToken hard)
    {
        List<SlotState> pending = SlotsSnapshot().Where(s => s.PendingAck is not null).ToList();
        if (pending.Count == 0 && !force)
        {
            return;
        }

        await outputs.FlushAllAsync(hard).ConfigureAwait(false);
        foreach (SlotState slot in pending)
        {
            (InputStream input, InputMessage last) = slot.PendingAck!.Value;
            slot.PendingAck = null;
            await input.AcknowledgeAsync(last, hard).ConfigureAwait(false);
        }
    }

    private void Open(ModelInvoker invoker, SlotState slot)
    {
        string? inherited = invoker.Model.Slots.FirstOrDefault(s => s.Slot == slot.Slot)?.Schema;
        var open = new StreamOpenOptions
        {
            Name = slot.Name,
            Slot = slot.Slot,
            InheritedSchema = inherited,
            SchemaLookup = _options.SchemaLookup,
            OnRejected = OnRejected,
            ConsoleInput = _options.ConsoleInput,
            ConsoleOutput = _options.ConsoleOutput,
        };
        if (slot.IsInput)
        {
            slot.Input = _factory.CreateInput(slot.Descriptor, open);
        }
        else
        {
            slot.Output = _factory.CreateOutput(slot.Descriptor, open);
        }
    }

    private void StartPump(SlotState slot)
    {
        slot.PumpStop = CancellationTokenSource.CreateLinkedTokenSource(_hard!.Token);
        InputStream input = slot.Input!;
        int generation = slot.Generation;
        CancellationToken stop = slot.PumpStop.Token;
        CancellationToken hard = _hard!.Token;
        Channel<Item> merged = _merged!;
        if (_stopReading!.IsCancellationRequested)
        {
            _ = input.StopReadingAsync();
        }

        slot.Pump = Task.Run(async () =>
        {
            Exception? failure = null;
            try
            {
                while (await input.ReadBatchAsync(stop).ConfigureAwait(false) is { } batch)
                {
                    // the hard token only: a graceful stop never drops a batch that was read
                    await merged.Writer.WriteAsync(new Item(slot, generation, input, batch, null), hard).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            try
            {
                await merged.Writer.WriteAsync(new Item(slot, generation, input, null, failure), hard).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    private async ValueTask ReplaceAsync(SlotState replacement, CancellationToken hard)
    {
        SlotState current;
        lock (_gate)
        {
            current = _slots[replacement.Slot];
        }

        var probe = new SlotState(replacement.Slot, replacement.Descriptor, replacement.Name);
        Open(_invoker!, probe);
        if (current.IsInput)
        {
            InputStream old = current.Input!;
            if (current.PumpStop is { } stop)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }

            if (current.Pump is { } pump)
            {
                await pump.ConfigureAwait(false);
            }

            await old.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                current.Descriptor = replacement.Descriptor;
                current.Name = replacement.Name;
                current.Input = probe.Input;
                current.Generation++;
                if (current.Eof)
                {
                    current.Eof = false;
                    _active++;
                }
            }

            StartPump(current);
        }
        else
        {
            OutputStream old = current.Output!;
            await old.CompleteAsync(hard).ConfigureAwait(false);
            await old.DisposeAsync().ConfigureAwait(false);
            await probe.Output!.OpenAsync(hard).ConfigureAwait(false);
            lock (_gate)
            {
                current.Descriptor = replacement.Descriptor;
                current.Name = replacement.Name;
                current.Output = probe.Output;
            }
        }
    }

    private bool OnModelError(ModelError error)
    {
        Log.ModelFailed(_logger, error);
        lock (_gate)
        {
            Enqueue(_modelErrors, error);
            if (_slots.TryGetValue(error.Slot, out SlotState? slot))
            {
                Interlocked.Increment(ref slot.ModelErrors);
            }

            if (_options.OnModelError == ModelErrorPolicy.Stop)
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
        lock (_gate)
        {
            Enqueue(_rejections, rejection);
        }
    }

    private void Enqueue<T>(Queue<T> queue, T item)
    {
        queue.Enqueue(item);
        while (queue.Count > _options.MaxReports)
        {
            queue.Dequeue();
        }
    }

    private List<SlotState> SlotsSnapshot()
    {
        lock (_gate)
        {
            return [.. _slots.Values];
        }
    }

    private void RequireState(string action, params EngineState[] allowed)
    {
        if (!allowed.Contains(_state))
        {
            throw new InvalidOperationException($"Cannot {action} while the engine is {_state.ToString().ToUpperInvariant()} (allowed in {string.Join(", ", allowed.Select(a => a.ToString().ToUpperInvariant()))}).");
        }
    }

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

    private readonly record struct Item(SlotState State, int Generation, InputStream? Input, RecordBatch? Batch, Exception? Error)
    {
        public static Item Wake => new(null!, -1, null, null, null);

        public int Slot => State?.Slot ?? -1;
    }

    private sealed class SlotState(int slot, StreamDescriptor descriptor, string name)
    {
        public long ModelErrors;

        public int Slot { get; } = slot;

        public StreamDescriptor Descriptor { get; set; } = descriptor;

        public string Name { get; set; } = name;

        public bool IsInput => Slot % 2 == 0;

        public InputStream? Input { get; set; }

        public OutputStream? Output { get; set; }

        public bool Eof { get; set; }

        public int Generation { get; set; }

        public Task? Pump { get; set; }

        public CancellationTokenSource? PumpStop { get; set; }

        public (InputStream Input, InputMessage Last)? PendingAck { get; set; }
    }
}
