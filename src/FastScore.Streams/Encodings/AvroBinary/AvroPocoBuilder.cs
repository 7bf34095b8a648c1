using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Avro;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Builds the readers of <see cref="AvroPocoReader"/>: binds a resolution plan to a CLR type, member by member.
/// What cannot be bound (a member type that cannot hold the field's values) is a <see cref="NotSupportedException"/>
/// naming the field: a programming error, found when the codec is built, not on a record.
/// </summary>
[RequiresDynamicCode("Builds generic readers and writers for the host type at run time.")]
[RequiresUnreferencedCode("Reads the host type's members by reflection.")]
internal sealed class AvroPocoBuilder(bool emit)
{
    private readonly Dictionary<(AvroPlan, Type), object> _records = new();

    /// <summary>Builds the reader of <paramref name="type"/> for <paramref name="plan"/>.</summary>
    public object Build(AvroPlan plan, Type type, string path)
    {
        Type? nullableOf = Nullable.GetUnderlyingType(type);
        switch (plan)
        {
            case WriterUnionPlan u:
                return BuildUnion(u, type, path);
            case ReaderUnionPlan ru:
                return Build(ru.Inner, type, path);
            case PrimitivePlan { From: Schema.Type.Null } when !type.IsValueType || nullableOf is not null:
                return Create(typeof(PrimitiveValueReader<>), type, Schema.Type.Null);
            case PrimitivePlan p when nullableOf is not null:
                return Wrap(Build(p, nullableOf, path), nullableOf, type);
            case PrimitivePlan p:
                if (!Holds(p.To, type))
                {
                    throw new NotSupportedException($"{path}: a {type.Name} member cannot hold the values of {AvroSchemas.Describe(p.Reader)}.");
                }

                return Create(typeof(PrimitiveValueReader<>), type, p.From);
            case EnumPlan e:
                return BuildEnum(e, nullableOf ?? type, path, nullableOf is not null ? type : null);
            case FixedPlan f when type == typeof(byte[]):
                return new FixedValueReader(f.Size);
            case ArrayPlan a:
                return BuildArray(a, type, path);
            case MapPlan m:
                return BuildMap(m, type, path);
            case RecordPlan r:
                return BuildRecord(r, type, path);
            default:
                throw new NotSupportedException($"{path}: a {type.Name} member cannot hold the values of {AvroSchemas.Describe(plan.Reader)}.");
        }
    }

    private static bool Holds(Schema.Type avro, Type clr) => avro switch
    {
        Schema.Type.Boolean => clr == typeof(bool),
        Schema.Type.Int => clr == typeof(int) || clr == typeof(long) || clr == typeof(float) || clr == typeof(double),
        Schema.Type.Long => clr == typeof(long) || clr == typeof(float) || clr == typeof(double),
        Schema.Type.Float => clr == typeof(float) || clr == typeof(double),
        Schema.Type.Double => clr == typeof(double),
        Schema.Type.String => clr == typeof(string) || clr == typeof(byte[]),
        Schema.Type.Bytes => clr == typeof(byte[]) || clr == typeof(string),
        _ => false,
    };

    private object BuildUnion(WriterUnionPlan u, Type type, string path)
    {
        var branches = Array.CreateInstance(typeof(AvroValueReader<>).MakeGenericType(type), u.Branches.Length);
        var errors = (string?[])u.Errors.Clone();
        for (int i = 0; i < u.Branches.Length; i++)
        {
            if (u.Branches[i] is not { } branch)
            {
                continue;
            }

            try
            {
                branches.SetValue(Build(branch, type, path), i);
            }
            catch (NotSupportedException ex)
            {
                // A branch the member cannot hold (a null into an int): records holding it are rejected, the others read.
                bool isNull = AvroSchemas.Underlying(branch.Writer).Tag == Schema.Type.Null;
                string reason = isNull ? $"null cannot be stored in a {type.Name} member" : ex.Message;
                branches.SetValue(Create(typeof(RefusingReader<>), type, branch.Writer, reason), i);
            }
        }

        return Activator.CreateInstance(typeof(UnionValueReader<>).MakeGenericType(type), branches, errors)!;
    }

    private static object BuildEnum(EnumPlan e, Type type, string path, Type? nullable)
    {
        object reader;
        if (type == typeof(string))
        {
            reader = new EnumValueReader<string>(e, [.. e.ReaderEnum.Symbols]);
        }
        else if (type.IsEnum)
        {
            var values = Array.CreateInstance(type, e.ReaderEnum.Symbols.Count);
            for (int i = 0; i < values.Length; i++)
            {
                string symbol = e.ReaderEnum.Symbols[i];
                if (!Enum.TryParse(type, symbol, ignoreCase: true, out object? value))
                {
                    throw new NotSupportedException($"{path}: the enum {type.Name} has no member for the symbol {symbol} of {AvroSchemas.Describe(e.Reader)}.");
                }

                values.SetValue(value, i);
            }

            reader = Activator.CreateInstance(typeof(EnumValueReader<>).MakeGenericType(type), e, values)!;
        }
        else
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot hold the symbols of {AvroSchemas.Describe(e.Reader)} (use a string or an enum).");
        }

        return nullable is null ? reader : Wrap(reader, type, nullable);
    }

    private object BuildArray(ArrayPlan a, Type type, string path)
    {
        Type? item = type.IsArray ? type.GetElementType() : CollectionItem(type);
        if (item is null)
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot hold an array (use T[], List<T> or IList<T>).");
        }

        object items = Build(a.Items, item, path + "[]");
        object list = Activator.CreateInstance(typeof(ListValueReader<>).MakeGenericType(item), items, AvroSchemas.MinBytes(a.Items.Writer))!;
        Type listType = typeof(List<>).MakeGenericType(item);
        if (type == listType)
        {
            return list;
        }

        if (type.IsArray)
        {
            MethodInfo toArray = listType.GetMethod(nameof(List<int>.ToArray))!;
            return Convert(list, listType, type, toArray);
        }

        return Convert(list, listType, type, null);
    }

    private static Type? CollectionItem(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        Type definition = type.GetGenericTypeDefinition();
        Type item = type.GetGenericArguments()[0];
        return definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(ICollection<>)
            || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>)
            ? item : null;
    }

    private object BuildMap(MapPlan m, Type type, string path)
    {
        Type? value = null;
        if (type.IsGenericType && type.GetGenericArguments() is [Type key, Type v] && key == typeof(string))
        {
            Type definition = type.GetGenericTypeDefinition();
            if (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>))
            {
                value = v;
            }
        }

        if (value is null)
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot hold a map (use Dictionary<string, T>).");
        }

        object values = Build(m.Values, value, path + "{}");
        object map = Activator.CreateInstance(typeof(MapValueReader<>).MakeGenericType(value), values)!;
        Type mapType = typeof(Dictionary<,>).MakeGenericType(typeof(string), value);
        return type == mapType ? map : Convert(map, mapType, type, null);
    }

    private object BuildRecord(RecordPlan r, Type type, string path)
    {
        if (_records.TryGetValue((r, type), out object? known))
        {
            return known;
        }

        if (type.IsValueType || type.IsAbstract || type == typeof(string) || type.IsArray)
        {
            throw new NotSupportedException($"{path}: a {type.Name} member cannot hold {AvroSchemas.Describe(r.Reader)} (use a class with a parameterless constructor).");
        }

        object reader = Activator.CreateInstance(typeof(AvroRecordReader<>).MakeGenericType(type))!;
        _records[(r, type)] = reader;
        MethodInfo fill = typeof(AvroPocoBuilder).GetMethod(nameof(FillRecord), BindingFlags.NonPublic | BindingFlags.Instance)!.MakeGenericMethod(type);
        try
        {
            fill.Invoke(this, [reader, r, path]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            _records.Remove((r, type));
            ExceptionDispatchInfoThrow(ex.InnerException);
        }

        return reader;
    }

    private static void ExceptionDispatchInfoThrow(Exception ex) => System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex).Throw();

    private void FillRecord<T>(AvroRecordReader<T> reader, RecordPlan r, string path)
    {
        Func<T> create = AvroPocoMembers.Creator<T>()
            ?? throw new NotSupportedException($"{path}: {typeof(T).Name} has no public parameterless constructor.");
        IReadOnlyList<AvroPocoMembers.Member> members = AvroPocoMembers.Of(typeof(T));
        var steps = new List<AvroFieldReader<T>>();
        foreach (RecordStep step in r.Steps)
        {
            AvroPocoMembers.Member? member = step.ReaderField is null ? null : AvroPocoMembers.Find(members, step.ReaderField, m => m.CanWrite);
            steps.Add(member is null
                ? new SkipFieldReader<T>(step.WriterField.Name, step.WriterField.Schema)
                : FieldReader<T>(member, step.ReaderField!.Name, Build(step.Plan!, member.Type, path + "." + step.ReaderField.Name)));
        }

        foreach (DefaultStep step in r.Defaults)
        {
            if (AvroPocoMembers.Find(members, step.ReaderField, m => m.CanWrite) is { } member)
            {
                AvroFieldReader<T> inner = FieldReader<T>(member, step.ReaderField.Name, Build(step.Plan, member.Type, path + "." + step.ReaderField.Name));
                steps.Add(new DefaultFieldReader<T>(step.ReaderField.Name, step.Encoded, inner));
            }
        }

        reader.Initialize(create, [.. steps], emit && RuntimeFeature.IsDynamicCodeCompiled);
    }

    private static AvroFieldReader<T> FieldReader<T>(AvroPocoMembers.Member member, string name, object valueReader)
    {
        MethodInfo make = typeof(AvroPocoBuilder).GetMethod(nameof(MakeFieldReader), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(T), member.Type);
        return (AvroFieldReader<T>)make.Invoke(null, [member, name, valueReader])!;
    }

    private static AvroFieldReader<T> MakeFieldReader<T, TValue>(AvroPocoMembers.Member member, string name, AvroValueReader<TValue> valueReader) =>
        new MemberFieldReader<T, TValue>(name, valueReader, AvroPocoMembers.Setter<T, TValue>(member.Info));

    private static object Create(Type generic, Type argument, params object[] arguments) =>
        Activator.CreateInstance(generic.MakeGenericType(argument), arguments)!;

    // inner: AvroValueReader<TFrom>; the result reads TValue by a conversion (a cast, Nullable, ToArray).
    private static object Convert(object inner, Type from, Type to, MethodInfo? method)
    {
        MethodInfo make = typeof(AvroPocoBuilder).GetMethod(nameof(MakeConvert), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(from, to);
        return make.Invoke(null, [inner, method])!;
    }

    private static object Wrap(object inner, Type from, Type nullable) => Convert(inner, from, nullable, null);

    private static AvroValueReader<TValue> MakeConvert<TFrom, TValue>(AvroValueReader<TFrom> inner, MethodInfo? method)
    {
        Func<TFrom, TValue> convert = method is not null
            ? (Func<TFrom, TValue>)Delegate.CreateDelegate(typeof(Func<TFrom, TValue>), method)
            : static from => (TValue)(object)from!;
        return new ConvertingReader<TFrom, TValue>(inner, convert);
    }
}

/// <summary>Decodes Avro binary records into a POCO type through a resolution plan (writer's schema → reader's schema).</summary>
[RequiresDynamicCode("Builds generic readers and writers for the host type at run time.")]
[RequiresUnreferencedCode("Reads the host type's members by reflection.")]
internal static class AvroPocoReader
{
    /// <summary>Builds the reader of <typeparamref name="T"/> records.</summary>
    /// <exception cref="NotSupportedException">The type cannot hold the reader schema's values (the message names the field).</exception>
    public static AvroValueReader<T> Create<T>(AvroPlan plan, bool emit = true) =>
        (AvroValueReader<T>)new AvroPocoBuilder(emit).Build(plan, typeof(T), "$");
}
