using System.Runtime.CompilerServices;
using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>Reads one value of a CLR type from Avro binary, through a resolution plan. Built once per (plan, type); thread-safe.</summary>
internal abstract class AvroValueReader<TValue>
{
    public abstract bool Read(ref AvroCursor c, out TValue value);
}

/// <summary>Reads one record field into a POCO's member.</summary>
internal abstract class AvroFieldReader<T>
{
    protected AvroFieldReader(string name) => Name = name;

    /// <summary>Gets the field's name (for the path of a rejection).</summary>
    public string Name { get; }

    public abstract bool Read(ref AvroCursor c, T target);
}

internal sealed class MemberFieldReader<T, TValue>(string name, AvroValueReader<TValue> reader, Action<T, TValue> set) : AvroFieldReader<T>(name)
{
    public AvroValueReader<TValue> Reader { get; } = reader;

    public Action<T, TValue> Set { get; } = set;

    public override bool Read(ref AvroCursor c, T target)
    {
        if (!Reader.Read(ref c, out TValue value))
        {
            return false;
        }

        Set(target, value);
        return true;
    }
}

/// <summary>A writer field no member takes: skipped with the writer's schema (checked on the way).</summary>
internal sealed class SkipFieldReader<T>(string name, Schema writer) : AvroFieldReader<T>(name)
{
    public Schema Writer { get; } = writer;

    public override bool Read(ref AvroCursor c, T target) => AvroSkipper.Skip(ref c, Writer);
}

/// <summary>A reader field the writer lacks: its default, decoded into the member for every record (so no instance is shared).</summary>
internal sealed class DefaultFieldReader<T>(string name, byte[] encoded, AvroFieldReader<T> inner) : AvroFieldReader<T>(name)
{
    public override bool Read(ref AvroCursor c, T target)
    {
        var defaults = new AvroCursor(encoded);
        return inner.Read(ref defaults, target) || c.FailSchema($"the default cannot be stored: {defaults.Describe()}", c.Position);
    }
}

/// <summary>Reads a record into a new <typeparamref name="T"/>: the writer's fields in order, then the defaults.</summary>
internal sealed class AvroRecordReader<T> : AvroValueReader<T>
{
    private Func<T> _create = null!;
    private AvroFieldReader<T>[] _steps = [];
    private Fill? _emitted;

    internal delegate bool Fill(ref AvroCursor c, T target);

    internal void Initialize(Func<T> create, AvroFieldReader<T>[] steps, bool emit)
    {
        _create = create;
        _steps = steps;
        if (emit)
        {
            _emitted = AvroPocoEmitter.TryEmit(steps);
        }
    }

    /// <summary>Gets a value indicating whether the record is read by an emitted method.</summary>
    public bool IsEmitted => _emitted is not null;

    internal AvroFieldReader<T>[] Steps => _steps;

    public override bool Read(ref AvroCursor c, out T value)
    {
        value = default!;
        if (!c.Enter())
        {
            return false;
        }

        T target = _create();
        if (_emitted is { } emitted)
        {
            if (!emitted(ref c, target))
            {
                return false;
            }
        }
        else
        {
            AvroFieldReader<T>[] steps = _steps;
            for (int i = 0; i < steps.Length; i++)
            {
                if (!steps[i].Read(ref c, target))
                {
                    return c.InField(steps[i].Name);
                }
            }
        }

        c.Leave();
        value = target;
        return true;
    }
}

/// <summary>The primitives, with the specification's promotions and the CLR conversions that keep every value.</summary>
internal sealed class PrimitiveValueReader<TValue>(Schema.Type from) : AvroValueReader<TValue>
{
    public Schema.Type From { get; } = from;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TValue As<TFrom>(TFrom value) => Unsafe.As<TFrom, TValue>(ref value);

    public override bool Read(ref AvroCursor c, out TValue value)
    {
        value = default!;
        switch (From)
        {
            case Schema.Type.Null:
                return true;
            case Schema.Type.Boolean:
            {
                if (!c.ReadBoolean(out bool b))
                {
                    return false;
                }

                value = As(b);
                return true;
            }

            case Schema.Type.Int:
            {
                if (!c.ReadInt(out int i))
                {
                    return false;
                }

                value = typeof(TValue) == typeof(int) ? As(i) : typeof(TValue) == typeof(long) ? As((long)i)
                    : typeof(TValue) == typeof(float) ? As((float)i) : As((double)i);
                return true;
            }

            case Schema.Type.Long:
            {
                if (!c.ReadLong(out long l))
                {
                    return false;
                }

                value = typeof(TValue) == typeof(long) ? As(l) : typeof(TValue) == typeof(float) ? As((float)l) : As((double)l);
                return true;
            }

            case Schema.Type.Float:
            {
                if (!c.ReadFloat(out float f))
                {
                    return false;
                }

                value = typeof(TValue) == typeof(float) ? As(f) : As((double)f);
                return true;
            }

            case Schema.Type.Double:
            {
                if (!c.ReadDouble(out double d))
                {
                    return false;
                }

                value = As(d);
                return true;
            }

            case Schema.Type.String:
            case Schema.Type.Bytes:
            {
                int start = c.Position;
                if (!c.ReadSpan(out ReadOnlySpan<byte> bytes))
                {
                    return false;
                }

                if (typeof(TValue) == typeof(string))
                {
                    if (!System.Text.Unicode.Utf8.IsValid(bytes))
                    {
                        return c.Fail("a string that is not UTF-8", start);
                    }

                    value = (TValue)(object)System.Text.Encoding.UTF8.GetString(bytes);
                    return true;
                }

                if (From == Schema.Type.String && !System.Text.Unicode.Utf8.IsValid(bytes))
                {
                    return c.Fail("a string that is not UTF-8", start);
                }

                value = (TValue)(object)bytes.ToArray();
                return true;
            }

            default:
                return c.FailSchema($"unsupported type {From}", c.Position);
        }
    }
}

/// <summary>A CLR value made from what an inner reader reads (Nullable, interfaces of collections, logical types).</summary>
internal sealed class ConvertingReader<TFrom, TValue>(AvroValueReader<TFrom> inner, Func<TFrom, TValue> convert) : AvroValueReader<TValue>
{
    public override bool Read(ref AvroCursor c, out TValue value)
    {
        if (!inner.Read(ref c, out TFrom from))
        {
            value = default!;
            return false;
        }

        value = convert(from);
        return true;
    }
}

/// <summary>A value that cannot be stored in the CLR type (a null into a non-nullable member): fails the record.</summary>
internal sealed class RefusingReader<TValue>(Schema writer, string reason) : AvroValueReader<TValue>
{
    public override bool Read(ref AvroCursor c, out TValue value)
    {
        value = default!;
        return Refuse(ref c, c.Position);
    }

    public bool Refuse(ref AvroCursor c, int at) => AvroSkipper.Skip(ref c, writer) && c.FailSchema(reason, at);
}

internal sealed class EnumValueReader<TValue>(EnumPlan plan, TValue[] values) : AvroValueReader<TValue>
{
    public override bool Read(ref AvroCursor c, out TValue value)
    {
        if (!AvroGeneric.ReadEnum(ref c, plan, out int k))
        {
            value = default!;
            return false;
        }

        value = values[k];
        return true;
    }
}

internal sealed class FixedValueReader(int size) : AvroValueReader<byte[]>
{
    public override bool Read(ref AvroCursor c, out byte[] value)
    {
        bool read = c.ReadFixed(size, out ReadOnlySpan<byte> bytes);
        value = read ? bytes.ToArray() : null!;
        return read;
    }
}

internal sealed class ListValueReader<TItem>(AvroValueReader<TItem> items, int minItemBytes) : AvroValueReader<List<TItem>>
{
    public override bool Read(ref AvroCursor c, out List<TItem> value)
    {
        value = null!;
        if (!c.Enter())
        {
            return false;
        }

        var list = new List<TItem>();
        while (true)
        {
            if (!c.NextBlock(minItemBytes, out long count))
            {
                return false;
            }

            if (count == 0)
            {
                break;
            }

            for (long i = 0; i < count; i++)
            {
                if (!items.Read(ref c, out TItem item))
                {
                    return c.InItem(list.Count);
                }

                list.Add(item);
            }
        }

        c.Leave();
        value = list;
        return true;
    }
}

internal sealed class MapValueReader<TItem>(AvroValueReader<TItem> values) : AvroValueReader<Dictionary<string, TItem>>
{
    public override bool Read(ref AvroCursor c, out Dictionary<string, TItem> value)
    {
        value = null!;
        if (!c.Enter())
        {
            return false;
        }

        var map = new Dictionary<string, TItem>(StringComparer.Ordinal);
        long index = 0;
        while (true)
        {
            if (!c.ReadBlockCount(1, out long count))
            {
                return false;
            }

            if (count == 0)
            {
                break;
            }

            for (long i = 0; i < count; i++, index++)
            {
                if (!c.ReadString(out string? key) || !values.Read(ref c, out TItem item))
                {
                    return c.InItem(index);
                }

                map[key!] = item;
            }
        }

        c.Leave();
        value = map;
        return true;
    }
}

/// <summary>A writer union: the reader of the branch a record holds.</summary>
internal sealed class UnionValueReader<TValue>(AvroValueReader<TValue>?[] branches, string?[] errors) : AvroValueReader<TValue>
{
    public override bool Read(ref AvroCursor c, out TValue value)
    {
        value = default!;
        int start = c.Position;
        if (!c.ReadBranch(branches, errors, out AvroValueReader<TValue>? reader))
        {
            return false;
        }

        if (reader is RefusingReader<TValue> refusing)
        {
            return refusing.Refuse(ref c, start); // the position of the union's branch index
        }

        if (!c.Enter())
        {
            return false;
        }

        bool read = reader.Read(ref c, out value);
        c.Leave();
        return read;
    }
}
