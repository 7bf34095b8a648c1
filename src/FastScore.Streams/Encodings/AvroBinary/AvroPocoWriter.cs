using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>Writes one CLR value as Avro binary of one schema (the stream's). Built once per (schema, type); thread-safe.</summary>
internal abstract class AvroValueWriter<TValue>
{
    public abstract bool Write(TValue value, ref AvroOutput output);
}

internal abstract class AvroFieldWriter<T>(string name)
{
    public string Name { get; } = name;

    public abstract bool Write(T source, ref AvroOutput output);
}

internal sealed class MemberFieldWriter<T, TValue>(string name, Func<T, TValue> get, AvroValueWriter<TValue> writer) : AvroFieldWriter<T>(name)
{
    public override bool Write(T source, ref AvroOutput output) => writer.Write(get(source), ref output);
}

/// <summary>A schema field no member gives: its default (or null), as fixed bytes.</summary>
internal sealed class ConstantFieldWriter<T>(string name, byte[] bytes) : AvroFieldWriter<T>(name)
{
    public override bool Write(T source, ref AvroOutput output)
    {
        output.WriteFixed(bytes);
        return true;
    }
}

internal sealed class AvroRecordWriter<T> : AvroValueWriter<T>
{
    private AvroFieldWriter<T>[] _fields = [];

    internal void Initialize(AvroFieldWriter<T>[] fields) => _fields = fields;

    public override bool Write(T value, ref AvroOutput output)
    {
        if (value is null)
        {
            return output.Fail("null is not a record");
        }

        AvroFieldWriter<T>[] fields = _fields;
        for (int i = 0; i < fields.Length; i++)
        {
            if (!fields[i].Write(value, ref output))
            {
                return output.InField(fields[i].Name);
            }
        }

        return true;
    }
}

internal sealed class PrimitiveValueWriter<TValue>(Schema.Type to) : AvroValueWriter<TValue>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TTo As<TTo>(TValue value) => Unsafe.As<TValue, TTo>(ref value);

    public override bool Write(TValue value, ref AvroOutput output)
    {
        switch (to)
        {
            case Schema.Type.Null:
                return value is null || output.Fail("expected null");
            case Schema.Type.Boolean:
                output.WriteBoolean(As<bool>(value));
                return true;
            case Schema.Type.Int:
                output.WriteInt(As<int>(value));
                return true;
            case Schema.Type.Long:
                output.WriteLong(typeof(TValue) == typeof(int) ? As<int>(value) : As<long>(value));
                return true;
            case Schema.Type.Float:
                output.WriteFloat(typeof(TValue) == typeof(int) ? As<int>(value) : typeof(TValue) == typeof(long) ? As<long>(value) : As<float>(value));
                return true;
            case Schema.Type.Double:
                output.WriteDouble(typeof(TValue) == typeof(int) ? As<int>(value) : typeof(TValue) == typeof(long) ? As<long>(value)
                    : typeof(TValue) == typeof(float) ? As<float>(value) : As<double>(value));
                return true;
            case Schema.Type.String:
                if (value is string s)
                {
                    try
                    {
                        output.WriteString(s);
                    }
                    catch (StreamFormatException ex)
                    {
                        return output.Fail(ex.Message);
                    }

                    return true;
                }

                if (value is byte[] utf8)
                {
                    if (!System.Text.Unicode.Utf8.IsValid(utf8))
                    {
                        return output.Fail("bytes that are not UTF-8 cannot be written as a string");
                    }

                    output.WriteBytes(utf8);
                    return true;
                }

                return output.Fail("null is not a string");
            case Schema.Type.Bytes:
                if (value is byte[] bytes)
                {
                    output.WriteBytes(bytes);
                    return true;
                }

                if (value is string text)
                {
                    output.WriteString(text);
                    return true;
                }

                return output.Fail("null is not bytes");
            default:
                return output.Fail($"unsupported type {to}");
        }
    }
}

internal sealed class FixedValueWriter(int size) : AvroValueWriter<byte[]>
{
    public override bool Write(byte[] value, ref AvroOutput output)
    {
        if (value is null || value.Length != size)
        {
            return output.Fail($"expected {size} bytes, got {(value is null ? "null" : value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }

        output.WriteFixed(value);
        return true;
    }
}

internal sealed class EnumValueWriter<TValue>(Dictionary<TValue, int> ordinals, string symbols) : AvroValueWriter<TValue>
    where TValue : notnull
{
    public override bool Write(TValue value, ref AvroOutput output)
    {
        if (value is null || !ordinals.TryGetValue(value, out int ordinal))
        {
            return output.Fail($"expected one of [{symbols}], got {value?.ToString() ?? "null"}");
        }

        output.WriteInt(ordinal);
        return true;
    }
}

internal sealed class CollectionValueWriter<TItem>(AvroValueWriter<TItem> items) : AvroValueWriter<IEnumerable<TItem>>
{
    public override bool Write(IEnumerable<TItem> value, ref AvroOutput output)
    {
        if (value is null)
        {
            return output.Fail("null is not an array");
        }

        IReadOnlyList<TItem> list = value as IReadOnlyList<TItem> ?? [.. value];
        if (list.Count > 0)
        {
            output.WriteLong(list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                if (!items.Write(list[i], ref output))
                {
                    return output.InItem(i);
                }
            }
        }

        output.WriteLong(0);
        return true;
    }
}

internal sealed class MapValueWriter<TItem>(AvroValueWriter<TItem> values) : AvroValueWriter<IEnumerable<KeyValuePair<string, TItem>>>
{
    public override bool Write(IEnumerable<KeyValuePair<string, TItem>> value, ref AvroOutput output)
    {
        if (value is null)
        {
            return output.Fail("null is not a map");
        }

        IReadOnlyCollection<KeyValuePair<string, TItem>> entries = value as IReadOnlyCollection<KeyValuePair<string, TItem>> ?? [.. value];
        if (entries.Count > 0)
        {
            output.WriteLong(entries.Count);
            foreach (KeyValuePair<string, TItem> entry in entries)
            {
                output.WriteString(entry.Key);
                if (!values.Write(entry.Value, ref output))
                {
                    return output.InField(entry.Key);
                }
            }
        }

        output.WriteLong(0);
        return true;
    }
}

/// <summary>A value written through a writer of another type (a cast, the value of a Nullable).</summary>
internal sealed class ConvertingWriter<TValue, TTo>(Func<TValue, TTo> convert, AvroValueWriter<TTo> inner) : AvroValueWriter<TValue>
{
    public override bool Write(TValue value, ref AvroOutput output) => inner.Write(convert(value), ref output);
}

/// <summary>A union: the null branch for a null value, else the branch bound to the CLR type.</summary>
internal sealed class UnionValueWriter<TValue>(int nullBranch, int valueBranch, AvroValueWriter<TValue>? inner) : AvroValueWriter<TValue>
{
    public override bool Write(TValue value, ref AvroOutput output)
    {
        if (value is null)
        {
            if (nullBranch < 0)
            {
                return output.Fail("null is not a value of the union");
            }

            output.WriteInt(nullBranch);
            return true;
        }

        if (inner is null)
        {
            return output.Fail("only null can be written to this union");
        }

        output.WriteInt(valueBranch);
        return inner.Write(value, ref output);
    }
}

/// <summary>Builds <see cref="AvroValueWriter{TValue}"/>s: binds a schema to a CLR type.</summary>
[RequiresDynamicCode("Builds generic readers and writers for the host type at run time.")]
[RequiresUnreferencedCode("Reads the host type's members by reflection.")]
internal sealed class AvroPocoWriterBuilder
{
    private readonly Dictionary<(Schema, Type), object> _records = new();

    public object Build(Schema schema, Type type, string path)
    {
        Schema s = AvroSchemas.Underlying(schema);
        Type? nullableOf = Nullable.GetUnderlyingType(type);
        if (s is UnionSchema union)
        {
            return BuildUnion(union, type, path);
        }

        if (nullableOf is not null && s.Tag != Schema.Type.Null)
        {
            object inner = Build(schema, nullableOf, path);
            return Convert(type, nullableOf, inner, typeof(AvroPocoWriterBuilder).GetMethod(nameof(ValueOf), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(nullableOf));
        }

        switch (s.Tag)
        {
            case Schema.Type.Null when !type.IsValueType:
                return Create(typeof(PrimitiveValueWriter<>), type, s.Tag);
            case Schema.Type.Boolean when type == typeof(bool):
            case Schema.Type.Int when type == typeof(int):
            case Schema.Type.Long when type == typeof(long) || type == typeof(int):
            case Schema.Type.Float when type == typeof(float) || type == typeof(int) || type == typeof(long):
            case Schema.Type.Double when type == typeof(double) || type == typeof(float) || type == typeof(int) || type == typeof(long):
            case Schema.Type.String when type == typeof(string) || type == typeof(byte[]):
            case Schema.Type.Bytes when type == typeof(byte[]) || type == typeof(string):
                return Create(typeof(PrimitiveValueWriter<>), type, s.Tag);
            case Schema.Type.Fixed when type == typeof(byte[]):
                return new FixedValueWriter(((FixedSchema)s).Size);
            case Schema.Type.Enumeration when type == typeof(string) || type.IsEnum:
                return BuildEnum((EnumSchema)s, type, path);
            case Schema.Type.Array:
                return BuildArray((ArraySchema)s, type, path);
            case Schema.Type.Map:
                return BuildMap((MapSchema)s, type, path);
            case Schema.Type.Record:
            case Schema.Type.Error:
                return BuildRecord((RecordSchema)s, type, path);
            default:
                throw new NotSupportedException($"{path}: a {type.Name} member cannot be written as {AvroSchemas.Describe(schema)}.");
        }
    }

    private static TValue ValueOf<TValue>(TValue? value)
        where TValue : struct => value!.Value;

    private object BuildUnion(UnionSchema union, Type type, string path)
    {
        int nullBranch = AvroSchemas.NullBranch(union);
        object? inner = null;
        int valueBranch = -1;
        NotSupportedException? last = null;
        for (int i = 0; i < union.Count && inner is null; i++)
        {
            if (i == nullBranch)
            {
                continue;
            }

            try
            {
                // The value of a Nullable<T> member goes to the branch as its T; other types as they are.
                inner = Build(union.Schemas[i], type, path);
                valueBranch = i;
            }
            catch (NotSupportedException ex)
            {
                last = ex;
            }
        }

        if (inner is null && (nullBranch < 0 || type.IsValueType && Nullable.GetUnderlyingType(type) is null))
        {
            throw last ?? new NotSupportedException($"{path}: a {type.Name} member cannot be written as {AvroSchemas.Describe(union)}.");
        }

        return Activator.CreateInstance(typeof(UnionValueWriter<>).MakeGenericType(type), nullBranch, valueBranch, inner)!;
    }

    private static object BuildEnum(EnumSchema e, Type type, string path)
    {
        var ordinals = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type, typeof(int)))!;
        for (int i = 0; i < e.Symbols.Count; i++)
        {
            if (type == typeof(string))
            {
                ordinals[e.Symbols[i]] = i;
            }
            else if (Enum.TryParse(type, e.Symbols[i], ignoreCase: true, out object? value))
            {
                ordinals[value!] = i;
            }
        }

        // A member value with no symbol is rejected when it is written, naming the symbols.
        _ = path;
        return Activator.CreateInstance(typeof(EnumValueWriter<>).MakeGenericType(type), ordinals, string.Join(", ", e.Symbols))!;
    }

    private object BuildArray(ArraySchema a, Type type, string path)
    {
        Type? item = type.IsArray ? type.GetElementType() : EnumerableItem(type);
        if (item is null)
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot be written as an array (use T[], List<T> or IEnumerable<T>).");
        }

        object items = Build(a.ItemSchema, item, path + "[]");
        object writer = Activator.CreateInstance(typeof(CollectionValueWriter<>).MakeGenericType(item), items)!;
        return Convert(type, typeof(IEnumerable<>).MakeGenericType(item), writer, null);
    }

    private static Type? EnumerableItem(Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private object BuildMap(MapSchema m, Type type, string path)
    {
        Type? pair = EnumerableItem(type);
        if (pair is not { IsGenericType: true } || pair.GetGenericTypeDefinition() != typeof(KeyValuePair<,>) || pair.GetGenericArguments()[0] != typeof(string))
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot be written as a map (use Dictionary<string, T>).");
        }

        Type value = pair.GetGenericArguments()[1];
        object values = Build(m.ValueSchema, value, path + "{}");
        object writer = Activator.CreateInstance(typeof(MapValueWriter<>).MakeGenericType(value), values)!;
        return Convert(type, typeof(IEnumerable<>).MakeGenericType(pair), writer, null);
    }

    private object BuildRecord(RecordSchema r, Type type, string path)
    {
        if (_records.TryGetValue((r, type), out object? known))
        {
            return known;
        }

        if (type.IsValueType || type == typeof(string) || type.IsArray || type.IsPrimitive)
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot be written as {AvroSchemas.Describe(r)}.");
        }

        object writer = Activator.CreateInstance(typeof(AvroRecordWriter<>).MakeGenericType(type))!;
        _records[(r, type)] = writer;
        try
        {
            typeof(AvroPocoWriterBuilder).GetMethod(nameof(FillRecord), BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(type)
                .Invoke(this, [writer, r, path]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            _records.Remove((r, type));
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }

        return writer;
    }

    private void FillRecord<T>(AvroRecordWriter<T> writer, RecordSchema r, string path)
    {
        IReadOnlyList<AvroPocoMembers.Member> members = AvroPocoMembers.Of(typeof(T));
        var fields = new List<AvroFieldWriter<T>>();
        foreach (Field field in r.Fields)
        {
            string fieldPath = path + "." + field.Name;
            if (AvroPocoMembers.Find(members, field, m => m.CanRead) is { } member)
            {
                object valueWriter = Build(field.Schema, member.Type, fieldPath);
                fields.Add((AvroFieldWriter<T>)typeof(AvroPocoWriterBuilder).GetMethod(nameof(MakeField), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(typeof(T), member.Type).Invoke(null, [field.Name, member, valueWriter])!);
            }
            else if (field.DefaultValue is not null)
            {
                fields.Add(new ConstantFieldWriter<T>(field.Name, AvroDefaults.Encode(field.Schema, field.DefaultValue)));
            }
            else if (AvroSchemas.Underlying(field.Schema) is UnionSchema union && AvroSchemas.NullBranch(union) is int n and >= 0)
            {
                fields.Add(new ConstantFieldWriter<T>(field.Name, NullBranch(n)));
            }
            else if (field.Schema.Tag == Schema.Type.Null)
            {
                fields.Add(new ConstantFieldWriter<T>(field.Name, []));
            }
            else
            {
                throw new NotSupportedException($"{fieldPath}: {typeof(T).Name} has no member for the required field '{field.Name}' of {AvroSchemas.Describe(r)}.");
            }
        }

        writer.Initialize([.. fields]);
    }

    private static byte[] NullBranch(int branch)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4);
        var output = new AvroOutput(buffer);
        output.WriteInt(branch);
        output.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static AvroFieldWriter<T> MakeField<T, TValue>(string name, AvroPocoMembers.Member member, AvroValueWriter<TValue> writer) =>
        new MemberFieldWriter<T, TValue>(name, AvroPocoMembers.Getter<T, TValue>(member.Info), writer);

    private static object Create(Type generic, Type argument, params object[] arguments) =>
        Activator.CreateInstance(generic.MakeGenericType(argument), arguments)!;

    // A writer of `type` that converts (a cast when method is null) and writes through `inner` (a writer of `to`).
    private static object Convert(Type type, Type to, object inner, MethodInfo? method)
    {
        if (type == to)
        {
            return inner;
        }

        return typeof(AvroPocoWriterBuilder).GetMethod(nameof(MakeConvert), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type, to).Invoke(null, [inner, method])!;
    }

    private static AvroValueWriter<TValue> MakeConvert<TValue, TTo>(AvroValueWriter<TTo> inner, MethodInfo? method)
    {
        Func<TValue, TTo> convert = method is not null
            ? (Func<TValue, TTo>)Delegate.CreateDelegate(typeof(Func<TValue, TTo>), method)
            : static value => (TTo)(object)value!;
        return new ConvertingWriter<TValue, TTo>(convert, inner);
    }
}

/// <summary>Encodes POCOs as Avro binary of one schema.</summary>
[RequiresDynamicCode("Builds generic readers and writers for the host type at run time.")]
[RequiresUnreferencedCode("Reads the host type's members by reflection.")]
internal static class AvroPocoWriter
{
    /// <exception cref="NotSupportedException">The type does not fit the schema (the message names the field).</exception>
    public static AvroValueWriter<T> Create<T>(Schema schema) => (AvroValueWriter<T>)new AvroPocoWriterBuilder().Build(schema, typeof(T), "$");
}
