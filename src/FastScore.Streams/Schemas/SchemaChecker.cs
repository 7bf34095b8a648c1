namespace FastScore.Streams.Schemas;

/// <summary>Why a record was rejected.</summary>
public enum RejectionKind
{
    /// <summary>The bytes are not a valid record of the stream's encoding ("rejected by encoding").</summary>
    Encoding,

    /// <summary>The record does not match the Avro schema ("rejected by schema").</summary>
    Schema,
}

/// <summary>A record rejection: the kind and a reason that names the field path.</summary>
/// <param name="Kind">By encoding or by schema.</param>
/// <param name="Reason">For example <c>$.petal_width: expected float, got "abc"</c>.</param>
public readonly record struct RecordRejection(RejectionKind Kind, string Reason);

/// <summary>
/// Checks encoded records against one Avro schema. One checker is built per (encoding, schema) pair and is
/// thread-safe. Checking works on the encoded bytes, so inputs and outputs are checked the same way.
/// </summary>
public abstract class SchemaChecker
{
    /// <summary>
    /// Gets whether the checker's verdict on the same bytes never changes, so records it accepted may pass through
    /// unchecked again: the core's checkers (a checker from elsewhere may keep state and is always asked).
    /// </summary>
    internal virtual bool HasStableVerdict => GetType().Assembly == typeof(SchemaChecker).Assembly;

    /// <summary>Checks one encoded record.</summary>
    /// <param name="record">The record's bytes in the stream's encoding.</param>
    /// <param name="rejection">Why it was rejected, when it was.</param>
    /// <returns><see langword="true"/> when the record is valid.</returns>
    public abstract bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection);

    /// <summary>
    /// Gets the standard check this checker makes (the records valid in one encoding that match one Avro schema), so an
    /// encoding may prove records valid while decoding them or write them valid by construction, and streams skip
    /// <see cref="TryCheck"/> for those records; or <see langword="null"/> (the default) for a checker with rules of its
    /// own, whose <see cref="TryCheck"/> is always called. Return a value only when <see cref="TryCheck"/> accepts exactly
    /// the records that standard check accepts.
    /// </summary>
    internal virtual StandardCheck? Standard => null;
}

/// <summary>Checks records against two schemas in turn (a stream's own and its model slot's); the first rejection wins.</summary>
internal sealed class BothSchemasChecker(SchemaChecker first, SchemaChecker second) : SchemaChecker
{
    public override bool TryCheck(ReadOnlySpan<byte> record, out RecordRejection rejection) =>
        first.TryCheck(record, out rejection) && second.TryCheck(record, out rejection);
}
