using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// How a POCO's members meet a record's fields: by <see cref="JsonPropertyNameAttribute"/> when the member has one (the
/// name the <c>json</c> encoding uses), else by the member's name, else by the name compared without case and
/// underscores (<c>SepalLength</c> ↔ <c>sepal_length</c>). Public instance properties and fields; members marked
/// <see cref="JsonIgnoreAttribute"/> are left out.
/// </summary>
[RequiresDynamicCode("Builds generic readers and writers for the host type at run time.")]
[RequiresUnreferencedCode("Reads the host type's members by reflection.")]
internal static class AvroPocoMembers
{
    /// <summary>A member with its accessors.</summary>
    internal sealed record Member(string Name, Type Type, MemberInfo Info, bool CanRead, bool CanWrite);

    public static IReadOnlyList<Member> Of(Type type)
    {
        var members = new List<Member>();
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.IsDefined(typeof(JsonIgnoreAttribute)))
            {
                continue;
            }

            string name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? property.Name;
            members.Add(new Member(name, property.PropertyType, property, property.GetMethod?.IsPublic == true, property.SetMethod?.IsPublic == true));
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (field.IsDefined(typeof(JsonIgnoreAttribute)))
            {
                continue;
            }

            string name = field.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? field.Name;
            members.Add(new Member(name, field.FieldType, field, true, !field.IsInitOnly));
        }

        return members;
    }

    /// <summary>The member for a record field (and its aliases), or <see langword="null"/>.</summary>
    public static Member? Find(IReadOnlyList<Member> members, Avro.Field field, Func<Member, bool> usable)
    {
        IEnumerable<string> names = [field.Name, .. field.Aliases ?? []];
        foreach (string name in names)
        {
            if (members.FirstOrDefault(m => usable(m) && m.Name == name) is { } exact)
            {
                return exact;
            }
        }

        foreach (string name in names)
        {
            string loose = Loose(name);
            if (members.FirstOrDefault(m => usable(m) && Loose(m.Name) == loose) is { } similar)
            {
                return similar;
            }
        }

        return null;
    }

    private static string Loose(string name) => name.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    /// <summary>A compiled setter (a closed delegate: a plain call).</summary>
    public static Action<T, TValue> Setter<T, TValue>(MemberInfo member)
    {
        if (RuntimeFeature.IsDynamicCodeCompiled)
        {
            ParameterExpression target = Expression.Parameter(typeof(T), "target");
            ParameterExpression value = Expression.Parameter(typeof(TValue), "value");
            Expression access = member is PropertyInfo p ? Expression.Property(target, p) : Expression.Field(target, (FieldInfo)member);
            return Expression.Lambda<Action<T, TValue>>(Expression.Assign(access, value), target, value).Compile();
        }

        if (member is PropertyInfo property)
        {
            return (Action<T, TValue>)Delegate.CreateDelegate(typeof(Action<T, TValue>), property.SetMethod!);
        }

        var field = (FieldInfo)member;
        return (target, value) => field.SetValue(target, value);
    }

    /// <summary>A compiled getter.</summary>
    public static Func<T, TValue> Getter<T, TValue>(MemberInfo member)
    {
        if (RuntimeFeature.IsDynamicCodeCompiled)
        {
            ParameterExpression source = Expression.Parameter(typeof(T), "source");
            Expression access = member is PropertyInfo p ? Expression.Property(source, p) : Expression.Field(source, (FieldInfo)member);
            return Expression.Lambda<Func<T, TValue>>(access, source).Compile();
        }

        if (member is PropertyInfo property)
        {
            return (Func<T, TValue>)Delegate.CreateDelegate(typeof(Func<T, TValue>), property.GetMethod!);
        }

        var field = (FieldInfo)member;
        return source => (TValue)field.GetValue(source)!;
    }

    /// <summary>A compiled parameterless constructor call, or <see langword="null"/>.</summary>
    public static Func<T>? Creator<T>()
    {
        if (typeof(T).IsAbstract || typeof(T).IsInterface)
        {
            return null;
        }

        if (typeof(T).IsValueType)
        {
            return static () => default!;
        }

        ConstructorInfo? constructor = typeof(T).GetConstructor(Type.EmptyTypes);
        if (constructor is null)
        {
            return null;
        }

        return RuntimeFeature.IsDynamicCodeCompiled
            ? Expression.Lambda<Func<T>>(Expression.New(constructor)).Compile()
            : () => (T)constructor.Invoke(null);
    }
}
