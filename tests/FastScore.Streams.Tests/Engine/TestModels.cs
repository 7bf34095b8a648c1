using System.Collections.Concurrent;
using System.Text.Json;
using FastScore.Streams.Encodings;
using FastScore.Streams.Engine;

namespace FastScore.Streams.Tests.Engine;

/// <summary>Emits every input unchanged to slot 1.</summary>
internal sealed class Identity<T> : IModel<T, T>
{
    public ValueTask ActionAsync(T input, RecordContext context, IModelOutput<T> output, CancellationToken cancellationToken)
    {
        output.Emit(input);
        return default;
    }
}

/// <summary>Adds one to every int and emits it to slot 1.</summary>
internal sealed class PlusOne : IModel<int, int>
{
    public IReadOnlyList<SlotDefinition> Slots { get; init; } = SlotDefinition.Default;

    public ValueTask ActionAsync(int input, RecordContext context, IModelOutput<int> output, CancellationToken cancellationToken)
    {
        output.Emit(input + 1);
        return default;
    }
}

/// <summary>Records every call; emits each input unchanged.</summary>
internal sealed class Recorder : IModel<string, string>
{
    public ConcurrentQueue<(string Input, RecordContext Context)> Calls { get; } = new();

    public IReadOnlyList<SlotDefinition> Slots { get; init; } = SlotDefinition.Default;

    public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        Calls.Enqueue((input, context));
        output.Emit(input);
        return default;
    }
}

/// <summary>A batch model that records every batch it gets and emits a summary (<c>"a+b+c"</c>) per batch.</summary>
internal sealed class BatchRecorder : IBatchModel<string, string>
{
    public ConcurrentQueue<(string[] Inputs, RecordContext Context)> Batches { get; } = new();

    public ValueTask ActionAsync(IReadOnlyList<string> inputs, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        Batches.Enqueue(([.. inputs], context));
        output.Emit(string.Join("+", inputs));
        return default;
    }

    public string[][] Contents => [.. Batches.Select(b => b.Inputs)];
}

/// <summary>Routes slot 0 to slot 1 and slot 2 to slot 3, tagging each record with its slot.</summary>
internal sealed class Router : IModel<string, string>
{
    public IReadOnlyList<SlotDefinition> Slots { get; } = [new(0), new(1), new(2), new(3)];

    public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        output.Emit(context.Slot + 1, $"{input}@{context.Slot}");
        return default;
    }
}

/// <summary>Each input record says where to emit: <c>{"to": 3, "n": 2}</c> emits n copies of the record to slot 3.</summary>
internal sealed class Emitter : IModel<JsonElement, JsonElement>
{
    public IReadOnlyList<SlotDefinition> Slots { get; init; } = [new(0), new(1), new(3)];

    public ValueTask ActionAsync(JsonElement input, RecordContext context, IModelOutput<JsonElement> output, CancellationToken cancellationToken)
    {
        int to = input.GetProperty("to").GetInt32();
        int n = input.TryGetProperty("n", out JsonElement count) ? count.GetInt32() : 1;
        for (int i = 0; i < n; i++)
        {
            output.Emit(to, input);
        }

        return default;
    }
}

/// <summary>Throws on the records whose text is in <see cref="FailOn"/>; emits the others unchanged.</summary>
internal sealed class Thrower(params string[] failOn) : IModel<string, string>
{
    public string[] FailOn { get; } = failOn;

    public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        if (FailOn.Contains(input))
        {
            throw new InvalidOperationException($"cannot score {input}");
        }

        output.Emit(input);
        return default;
    }
}

/// <summary>A model whose begin, end or a given record can be made to wait for the test.</summary>
internal sealed class Gated : IModel<string, string>
{
    public TaskCompletionSource EndReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource EndGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource RecordReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource RecordGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool BlockEnd { get; init; }

    /// <summary>Gets the record number the model waits at (0: none).</summary>
    public long BlockAt { get; init; }

    public int Scored;

    public async ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        if (context.SequenceNumber == BlockAt)
        {
            RecordReached.TrySetResult();
            await RecordGate.Task.WaitAsync(cancellationToken);
        }

        Interlocked.Increment(ref Scored);
        output.Emit(input);
    }

    public async ValueTask EndAsync(IModelOutput output, CancellationToken cancellationToken)
    {
        EndReached.TrySetResult();
        if (BlockEnd)
        {
            await EndGate.Task.WaitAsync(cancellationToken);
        }
    }
}

/// <summary>Emits a control record to slot 1 after every input, and a final <c>end</c> in <see cref="IModel.EndAsync"/>.</summary>
internal sealed class SetMarker : IModel<string, string>
{
    public ValueTask ActionAsync(string input, RecordContext context, IModelOutput<string> output, CancellationToken cancellationToken)
    {
        output.Emit(input);
        output.EmitControl(1, new ControlRecord(ControlKind.Set));
        return default;
    }

    public ValueTask EndAsync(IModelOutput output, CancellationToken cancellationToken)
    {
        output.EmitControl(1, new ControlRecord(ControlKind.End));
        return default;
    }
}
