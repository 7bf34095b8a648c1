namespace FastScore.Streams.Engine;

/// <summary>
/// What every model shares: its slots (with their Avro schemas) and optional begin/end hooks.
/// Implement <see cref="IModel{TInput, TOutput}"/> (per record) or <see cref="IBatchModel{TInput, TOutput}"/> (per batch).
/// </summary>
/// <remarks>The engine calls a model's methods from one task at a time, so a model need not be thread-safe.</remarks>
public interface IModel
{
    /// <summary>Gets the slots the model uses and their schemas.</summary>
    /// <value>The default is slot 0 (input) and slot 1 (output), untyped.</value>
    IReadOnlyList<SlotDefinition> Slots => SlotDefinition.Default;

    /// <summary>Runs once before the first record.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the model is ready.</returns>
    ValueTask BeginAsync(CancellationToken cancellationToken) => default;

    /// <summary>Runs once after the last record (when every input has reached end of stream).</summary>
    /// <param name="output">Where final outputs may still be emitted.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the model is done.</returns>
    ValueTask EndAsync(IModelOutput output, CancellationToken cancellationToken) => default;

    /// <summary>
    /// Creates what calls the model with typed records: <see cref="IModel{TInput, TOutput}"/> and
    /// <see cref="IBatchModel{TInput, TOutput}"/> provide it, so the engine needs no reflection (nor code generated at run
    /// time) to call a model. <see langword="null"/> for a model that implements neither.
    /// </summary>
    internal ModelInvoker? CreateInvoker(Func<ModelError, bool> onError) => null;
}

/// <summary>A model called once per input record; it may emit zero, one or many outputs per record.</summary>
/// <typeparam name="TInput">The host's input type (a POCO, <c>JsonElement</c>, <c>string</c>, <c>byte[]</c>...).</typeparam>
/// <typeparam name="TOutput">The host's output type.</typeparam>
public interface IModel<in TInput, TOutput> : IModel
{
    /// <summary>Scores one record.</summary>
    /// <param name="input">The decoded, schema-checked record.</param>
    /// <param name="context">The record's slot and sequence number.</param>
    /// <param name="output">Emits outputs: to slot 1 by default, or to any odd slot.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the record is scored.</returns>
    ValueTask ActionAsync(TInput input, RecordContext context, IModelOutput<TOutput> output, CancellationToken cancellationToken);

    /// <inheritdoc />
    ModelInvoker? IModel.CreateInvoker(Func<ModelError, bool> onError) => new RecordInvoker<TInput, TOutput>(this, onError);
}

/// <summary>A model called once per batch (record set) of input records.</summary>
/// <typeparam name="TInput">The host's input type.</typeparam>
/// <typeparam name="TOutput">The host's output type.</typeparam>
public interface IBatchModel<TInput, TOutput> : IModel
{
    /// <summary>Scores one batch.</summary>
    /// <param name="inputs">The batch's records, in order.</param>
    /// <param name="context">The batch's slot and the sequence number of its first record.</param>
    /// <param name="output">Emits outputs.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the batch is scored.</returns>
    ValueTask ActionAsync(IReadOnlyList<TInput> inputs, RecordContext context, IModelOutput<TOutput> output, CancellationToken cancellationToken);

    /// <inheritdoc />
    ModelInvoker? IModel.CreateInvoker(Func<ModelError, bool> onError) => new BatchInvoker<TInput, TOutput>(this, onError);
}

/// <summary>Where a model's outputs go.</summary>
public interface IModelOutput
{
    /// <summary>Emits a value to an output slot, encoded by the slot's stream.</summary>
    /// <typeparam name="T">The value's type.</typeparam>
    /// <param name="slot">An odd slot number.</param>
    /// <param name="value">The value.</param>
    void Emit<T>(int slot, T value);

    /// <summary>Writes a control record (end, set, pig) to an output slot, in the slot encoding's wire form.</summary>
    /// <param name="slot">An odd slot number.</param>
    /// <param name="control">The control record.</param>
    void EmitControl(int slot, Encodings.ControlRecord control);
}

/// <summary>Where a model's typed outputs go.</summary>
/// <typeparam name="TOutput">The output type.</typeparam>
public interface IModelOutput<in TOutput>
{
    /// <summary>Emits a value to output slot 1.</summary>
    /// <param name="value">The value.</param>
    void Emit(TOutput value);

    /// <summary>Emits a value to an odd output slot.</summary>
    /// <param name="slot">An odd slot number.</param>
    /// <param name="value">The value.</param>
    void Emit(int slot, TOutput value);

    /// <summary>Writes a control record (end, set, pig) to an output slot, in the slot encoding's wire form.</summary>
    /// <param name="slot">An odd slot number.</param>
    /// <param name="control">The control record.</param>
    void EmitControl(int slot, Encodings.ControlRecord control);
}

/// <summary>Where a record came from.</summary>
/// <param name="Slot">The input slot (even).</param>
/// <param name="SequenceNumber">The record's number in its input stream, starting at 1.</param>
/// <param name="Metadata">
/// The transport's metadata of the record (Kafka: key, headers, <c>topic/partition@offset</c>; cast to
/// <c>KafkaMessageMetadata</c> for typed values), or <see langword="null"/> when the transport has none (files, S3) and
/// for batch models, whose context describes a whole batch.
/// </param>
public readonly record struct RecordContext(int Slot, long SequenceNumber, Transports.MessageMetadata? Metadata = null);

/// <summary>A slot a model uses, with its Avro schema.</summary>
/// <param name="Slot">The slot number: even for inputs, odd for outputs.</param>
/// <param name="Schema">The Avro schema as JSON, or <see langword="null"/> for untyped.</param>
public sealed record SlotDefinition(int Slot, string? Schema = null)
{
    /// <summary>Slot 0 in and slot 1 out, untyped.</summary>
    public static IReadOnlyList<SlotDefinition> Default { get; } = [new(0), new(1)];

    /// <summary>Gets a value indicating whether this is an input slot (even number).</summary>
    public bool IsInput => Slot % 2 == 0;
}
