namespace FastScore.Streams.Descriptors.Json;

internal enum FieldState
{
    /// <summary>Not given: the default applies.</summary>
    Missing,

    /// <summary>Given (possibly as an explicit null).</summary>
    Set,

    /// <summary>Given but invalid: an error was reported; rules that need the value are skipped.</summary>
    Failed,
}

/// <summary>One field of a <see cref="DescriptorDraft"/>: missing, set, or failed.</summary>
internal struct DraftField<T>
{
    public FieldState State;
    public T Value;

    public readonly bool IsSet => State == FieldState.Set;

    public readonly bool IsMissing => State == FieldState.Missing;

    public void Set(T value)
    {
        State = FieldState.Set;
        Value = value;
    }

    public void Fail()
    {
        State = FieldState.Failed;
        Value = default!;
    }
}

/// <summary>
/// What a JSON document, a configuration section or a builder said about a descriptor, before defaults and
/// consistency rules are applied by <see cref="DescriptorFinisher"/>. JSON, configuration and the builder share that step.
/// </summary>
internal sealed class DescriptorDraft
{
    public DraftField<string> Version;
    public DraftField<string?> Description;
    public DraftField<TransportDescriptor> Transport;
    public DraftField<bool> Loop;
    public DraftField<long?> SkipTo;
    public DraftField<RecordPosition?> SkipToRecord;
    public DraftField<EnvelopeDescriptor?> Envelope;
    public DraftField<EncodingDescriptor?> Encoding;
    public DraftField<SchemaReference> Schema;
    public DraftField<BatchingDescriptor> Batching;
    public DraftField<int?> LingerTime;

    /// <summary>Creates a draft with every field of a complete descriptor set (to re-validate it).</summary>
    public static DescriptorDraft From(StreamDescriptor descriptor)
    {
        var draft = new DescriptorDraft();
        draft.Version.Set(descriptor.Version);
        draft.Description.Set(descriptor.Description);
        draft.Transport.Set(descriptor.Transport);
        draft.Loop.Set(descriptor.Loop);
        draft.SkipTo.Set(descriptor.SkipTo);
        draft.SkipToRecord.Set(descriptor.SkipToRecord);
        draft.Envelope.Set(descriptor.Envelope);
        draft.Encoding.Set(descriptor.Encoding);
        draft.Schema.Set(descriptor.Schema);
        draft.Batching.Set(descriptor.Batching);
        draft.LingerTime.Set(descriptor.LingerTime);
        return draft;
    }
}
