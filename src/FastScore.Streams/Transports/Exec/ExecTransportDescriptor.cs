namespace FastScore.Streams.Descriptors;

/// <summary>
/// exec: records move through a child process's stdout (input) or stdin (output), never through a shell. Read, checked
/// and expanded from the <c>exec:PROGRAM</c> literal by the core's exec provider (docs/exec.md).
/// </summary>
internal sealed record ExecTransportDescriptor : TransportDescriptor
{
    /// <inheritdoc />
    public override string Type => TransportTypes.Exec;

    /// <summary>Gets the executable.</summary>
    public required string Run { get; init; }

    /// <summary>Gets the arguments.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => false;

    /// <inheritdoc />
    public override bool IsSeekable => false;

    /// <summary>Compares every field; <see cref="Args"/> is compared by content.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(ExecTransportDescriptor? other) =>
        other is not null && base.Equals(other) && Run == other.Run && DescriptorEquality.ListEquals(Args, other.Args);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Run, Args.Count);

    /// <inheritdoc />
    protected internal override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(Run))
        {
            errors.Add("Run", $"must be a non-empty string; found {(Run is null ? "null" : "\"\"")}.");
        }

        for (int i = 0; i < Args.Count; i++)
        {
            if (Args[i] is null)
            {
                errors.Add(DescriptorErrors.Item("Args", i), "must be a string; found null.");
            }
        }
    }

    /// <inheritdoc />
    protected internal override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Run", Run);
        writer.WriteStrings("Args", Args);
    }
}

// This transport's builder method: one part of StreamDescriptorBuilder per transport folder.
public sealed partial class StreamDescriptorBuilder
{
    /// <summary>Uses a child process: an input reads its stdout, an output writes its stdin (never through a shell).</summary>
    /// <param name="run">The executable.</param>
    /// <param name="args">Its arguments.</param>
    /// <returns>The same builder instance so that multiple calls can be chained.</returns>
    /// <exception cref="InvalidOperationException">The builder has already built.</exception>
    public StreamDescriptorBuilder UseExec(string run, params string[] args) => UseTransport(new ExecTransportDescriptor { Run = run ?? string.Empty, Args = [.. args ?? []] });
}
