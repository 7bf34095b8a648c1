using Avro;
using FastScore.Streams.Encodings.AvroBinary;

namespace FastScore.Streams.Schemas;

/// <summary>
/// Avro schema resolution (the specification's rules, not Apache.Avro's stricter <c>CanRead</c>): whether data written
/// with one schema can be read with another, and when not, why. Used to check a stream's own schema against its model
/// slot's schema; the avro-binary decoders read records by the same rules (<see cref="AvroResolver"/>).
/// </summary>
/// <remarks>
/// Logical types are compared by their underlying type (a <c>date</c> is an <c>int</c> in JSON); named types match by
/// unqualified name or by an alias of the reader's; fields match by name or by an alias of the reader's field; a reader
/// field the writer lacks needs a default (a value of its type); promotions are int → long, float, double;
/// long → float, double; float → double; string ↔ bytes; an enum symbol the reader lacks needs the reader's default
/// symbol; every branch of a writer's union must be readable. Recursive schemas are handled.
/// </remarks>
internal static class SchemaCompatibility
{
    /// <summary>Whether every datum valid for <paramref name="writer"/> can be read with <paramref name="reader"/>.</summary>
    public static bool CanRead(Schema reader, Schema writer) => Explain(reader, writer) is null;

    /// <summary>Why data written with <paramref name="writer"/> cannot be read with <paramref name="reader"/>, or <see langword="null"/> when it can.</summary>
    /// <returns>The path into the schemas and the rule that fails, e.g. <c>$.petal_width: the writer's double cannot be read as the reader's float</c>.</returns>
    public static string? Explain(Schema reader, Schema writer) => AvroResolver.Explain(reader, writer);
}
