namespace FastScore.Streams.Schemas;

/// <summary>
/// What a <see cref="SchemaChecker"/> checks when it makes an encoding's standard check: the records that are valid in
/// <see cref="Encoding"/> and match <see cref="Schema"/> (see <see cref="SchemaChecker.Standard"/>).
/// </summary>
/// <remarks>An encoding that knows its standard check may prove records valid while decoding them
/// (<see cref="Encodings.CheckingDecoder{T}"/>) or write records that are valid by construction
/// (<see cref="Encodings.ValidEncoder{T}"/>); streams then skip <see cref="SchemaChecker.TryCheck"/> for those records.</remarks>
internal sealed class StandardCheck
{
    /// <summary>Creates the description of a standard check.</summary>
    /// <param name="encoding">The encoding's name (<c>json</c>, <c>utf-8</c>...), or <see langword="null"/> for raw bytes.</param>
    /// <param name="schema">The Avro schema, or <see langword="null"/> when only the encoding's own syntax is checked.</param>
    public StandardCheck(string? encoding, Avro.Schema? schema)
    {
        Encoding = encoding;
        Schema = schema;
    }

    /// <summary>Gets the encoding's name, or <see langword="null"/> for raw bytes.</summary>
    public string? Encoding { get; }

    /// <summary>Gets the Avro schema, or <see langword="null"/> when only the encoding's own syntax is checked.</summary>
    public Avro.Schema? Schema { get; }
}
