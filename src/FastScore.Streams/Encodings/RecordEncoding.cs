using System.Buffers;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Encodings;

/// <summary>
/// An encoding: turns one record's bytes into a host value and back. Implementations are stateless and thread-safe.
/// </summary>
/// <remarks>
/// Records travel through the pipeline as encoded bytes; they are decoded to the host's type only at the model
/// boundary, so a host chooses its own representation (POCO, <c>JsonElement</c>, <c>string</c>, bytes).
/// </remarks>
public abstract class RecordEncoding
{
    /// <summary>
    /// Gets whether the encoding decodes and encodes <see cref="ReadOnlyMemory{T}"/> of bytes as the record's bytes,
    /// unchanged, so checked records may pass through without a copy per record (the engine's pass-through path).
    /// </summary>
    internal virtual bool HandsBytesAsIs => false;

    /// <summary>Gets the canonical encoding name (<c>"json"</c>, <c>"utf-8"</c>, or <see langword="null"/> for raw bytes).</summary>
    public abstract string? Name { get; }

    /// <summary>Gets a value indicating whether the encoding finds record ends by itself (avro-binary, msgpack).</summary>
    public virtual bool IsSelfDelimiting => false;

    /// <summary>Decodes one record into a host value.</summary>
    /// <typeparam name="T">The host's type.</typeparam>
    /// <param name="record">The record's bytes.</param>
    /// <returns>The value.</returns>
    /// <exception cref="StreamFormatException">The bytes are not a valid record in this encoding, or cannot become a <typeparamref name="T"/>.</exception>
    public abstract T Decode<T>(ReadOnlySpan<byte> record);

    /// <summary>Encodes one host value.</summary>
    /// <typeparam name="T">The host's type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="StreamFormatException">The value cannot be encoded.</exception>
    public abstract void Encode<T>(T value, IBufferWriter<byte> output);

    /// <summary>
    /// Creates a decoder that proves <typeparamref name="T"/> records valid for <paramref name="checker"/> in the pass that
    /// decodes them (a fast path for input streams), or returns <see langword="null"/> (the default) when the records must
    /// be checked and decoded the usual way. Input streams ask once per stream and host type.
    /// </summary>
    /// <typeparam name="T">The host's type.</typeparam>
    /// <param name="checker">The stream's checker: an encoding should only trust what <see cref="SchemaChecker.Standard"/>
    /// says it checks (a checker with rules of its own says nothing).</param>
    /// <returns>The decoder, or <see langword="null"/>.</returns>
    internal virtual CheckingDecoder<T>? CreateCheckingDecoder<T>(SchemaChecker checker) => null;

    /// <summary>
    /// Creates an encoder whose <typeparamref name="T"/> records are valid for <paramref name="checker"/> by construction (a
    /// fast path for output streams), or returns <see langword="null"/> (the default) when records must be encoded and
    /// checked the usual way. Output streams ask once per stream and value type.
    /// </summary>
    /// <typeparam name="T">The host's type.</typeparam>
    /// <param name="checker">The stream's checker (see <see cref="CreateCheckingDecoder{T}"/>).</param>
    /// <returns>The encoder, or <see langword="null"/>.</returns>
    internal virtual ValidEncoder<T>? CreateValidEncoder<T>(SchemaChecker checker) => null;

    /// <summary>Recognises a control record (end, set, pig) in this encoding's wire form.</summary>
    /// <param name="record">The record's bytes.</param>
    /// <param name="control">The control record, when recognised.</param>
    /// <returns><see langword="true"/> when <paramref name="record"/> is a control record.</returns>
    public virtual bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        return false;
    }

    /// <summary>Writes a control record in this encoding's wire form.</summary>
    /// <param name="control">The control record.</param>
    /// <param name="output">Where the bytes go.</param>
    /// <exception cref="NotSupportedException">The encoding has no wire form for control records.</exception>
    public virtual void WriteControl(ControlRecord control, IBufferWriter<byte> output) =>
        throw new NotSupportedException($"Encoding '{Name ?? "null"}' has no control records.");
}

/// <summary>The kind of a control record (FastScore §6.3).</summary>
public enum ControlKind
{
    /// <summary>Not a control record.</summary>
    None,
    /// <summary>End of stream (soft EOF).</summary>
    End,
    /// <summary>End of a record set / batch.</summary>
    Set,
    /// <summary>A barrier that reappears on the output after every output of earlier inputs.</summary>
    Pig,
}

/// <summary>An in-band control record.</summary>
/// <param name="Kind">end, set or pig.</param>
/// <param name="Id">The optional id.</param>
/// <param name="Timestamp">The optional timestamp (ms since the epoch).</param>
/// <param name="Misc">Optional ASCII data.</param>
public readonly record struct ControlRecord(ControlKind Kind, int? Id = null, long? Timestamp = null, string? Misc = null);
