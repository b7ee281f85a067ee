using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace NomadAutoscaler.Plugins.Sdk.Internal;

/// <summary>Binds the SetConfig string map to a plugin's options class and validates it. The one code path
/// shared by the gRPC server and in-process plugins.</summary>
internal static class OptionsBinder
{
    /// <summary>What binding reflects over; annotated on every generic TOptions so trimming keeps it.</summary>
    internal const DynamicallyAccessedMemberTypes BoundMembers =
        DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicProperties;

    /// <summary>Keys the agent injects into every plugin's config (its Nomad settings); never "unknown".</summary>
    internal const string AgentInjectedPrefix = "nomad_";

    // Parse errors quote the value; cap it so a pasted blob does not flood logs.
    private const int MaxQuotedValueLength = 64;

    public static TOptions Bind<[DynamicallyAccessedMembers(BoundMembers)] TOptions>(IReadOnlyDictionary<string, string> config)
        where TOptions : class
        => (TOptions)Bind(typeof(TOptions), config);

    public static object Bind([DynamicallyAccessedMembers(BoundMembers)] Type optionsType, IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        ArgumentNullException.ThrowIfNull(config);
        var options = Activator.CreateInstance(optionsType)
            ?? throw new InvalidOperationException($"cannot create {optionsType.Name}");
        var violations = new List<ConfigViolation>();
        var knownKeys = new HashSet<string>(StringComparer.Ordinal);
        var knownPrefixes = new List<string>();

        foreach (var property in optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length != 0) continue;
            if (property.GetCustomAttribute<ConfigKeyPrefixAttribute>() is { } prefixed)
            {
                knownPrefixes.Add(prefixed.Prefix);
                BindPrefix(options, property, prefixed.Prefix, config, violations);
                continue;
            }

            var key = KeyOf(property);
            knownKeys.Add(key);
            if (!property.CanWrite || property.SetMethod is not { IsPublic: true })
                continue;

            var present = config.TryGetValue(key, out var text) && !string.IsNullOrWhiteSpace(text);
            if (present)
            {
                if (TryConvert(text!, property.PropertyType, out var value, out var problem))
                    property.SetValue(options, value);
                else
                    violations.Add(new ConfigViolation(key, problem));
            }
            else if (property.IsDefined(typeof(RequiredMemberAttribute), inherit: false)
                     && !property.IsDefined(typeof(RequiredAttribute), inherit: true))
            {
                // A C# `required` member with no [Required] still has to come from config.
                violations.Add(new ConfigViolation(key, "is required"));
                continue;
            }

            if (violations.Any(v => v.Key == key)) continue;
            Validate(options, property, key, violations);
        }

        if (!optionsType.IsDefined(typeof(AllowUnknownKeysAttribute), inherit: true))
        {
            foreach (var key in config.Keys.Order(StringComparer.Ordinal))
            {
                if (knownKeys.Contains(key) || key.StartsWith(AgentInjectedPrefix, StringComparison.Ordinal)) continue;
                if (knownPrefixes.Any(p => key.Length > p.Length && key.StartsWith(p, StringComparison.Ordinal))) continue;
                violations.Add(new ConfigViolation(key, UnknownKeyProblem(key, knownKeys)));
            }
        }

        if (violations.Count == 0 && options is IValidatableObject validatable)
        {
            var context = new ValidationContext(options, optionsType.Name, null, null);
            foreach (var result in validatable.Validate(context))
            {
                var message = result.ErrorMessage ?? "is invalid";
                var members = result.MemberNames.ToList();
                if (members.Count == 0) violations.Add(new ConfigViolation(optionsType.Name, message));
                foreach (var member in members)
                    violations.Add(new ConfigViolation(KeyOfMember(optionsType, member), message));
            }
        }

        if (violations.Count > 0) throw new PluginConfigException(violations);
        return options;
    }

    /// <summary>Fills a [ConfigKeyPrefix] map with every <c>prefix + name</c> key, by name.</summary>
    private static void BindPrefix(object options, PropertyInfo property, string prefix, IReadOnlyDictionary<string, string> config, List<ConfigViolation> violations)
    {
        var type = property.PropertyType;
        if (type != typeof(IReadOnlyDictionary<string, string>) && type != typeof(IDictionary<string, string>) && type != typeof(Dictionary<string, string>))
        {
            violations.Add(new ConfigViolation(prefix + "*", $"properties of type {type.Name} cannot be bound from a key prefix (use IReadOnlyDictionary<string, string>)"));
            return;
        }

        if (!property.CanWrite || property.SetMethod is not { IsPublic: true }) return;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in config)
        {
            if (key.Length > prefix.Length && key.StartsWith(prefix, StringComparison.Ordinal)) map[key[prefix.Length..]] = value;
        }

        property.SetValue(options, map);
    }

    /// <summary>The config key of a property: [ConfigKey] or snake_case of its name.</summary>
    public static string KeyOf(PropertyInfo property)
        => property.GetCustomAttribute<ConfigKeyAttribute>()?.Key ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);

    private static string KeyOfMember([DynamicallyAccessedMembers(BoundMembers)] Type optionsType, string member)
    {
        var property = optionsType.GetProperty(member, BindingFlags.Public | BindingFlags.Instance);
        return property is null ? member : KeyOf(property);
    }

    private static void Validate(object options, PropertyInfo property, string key, List<ConfigViolation> violations)
    {
        var value = property.GetValue(options);
        // This constructor is the trim-safe one: it does not reflect over the instance's type.
        var context = new ValidationContext(options, key, null, null) { MemberName = property.Name };
        foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
        {
            var result = attribute.GetValidationResult(value, context);
            if (result == ValidationResult.Success || result is null) continue;
            var message = result.ErrorMessage ?? "is invalid";
            violations.Add(new ConfigViolation(key, attribute is RequiredAttribute ? "is required" : message));
            return;
        }
    }

    private static string UnknownKeyProblem(string key, HashSet<string> knownKeys)
    {
        var suggestion = knownKeys
            .Select(known => (known, distance: Distance(key, known)))
            .Where(x => x.distance <= Math.Max(2, x.known.Length / 3))
            .OrderBy(x => x.distance)
            .Select(x => x.known)
            .FirstOrDefault();
        return suggestion is null
            ? "is not a known configuration key"
            : $"is not a known configuration key (did you mean \"{suggestion}\"?)";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>Converts one config value to a supported property type.</summary>
    internal static bool TryConvert(string text, Type type, out object? value, out string problem)
    {
        value = null;
        problem = "";
        var target = Nullable.GetUnderlyingType(type) ?? type;
        var trimmed = text.Trim();
        var quoted = Quote(text);

        if (target == typeof(string))
        {
            value = text;
            return true;
        }

        if (target == typeof(bool))
        {
            if (GoValues.TryParseBool(trimmed, out var b)) { value = b; return true; }
            problem = $"{quoted} is not a boolean (use true or false)";
            return false;
        }

        if (target == typeof(int))
        {
            if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) { value = i; return true; }
            problem = $"{quoted} is not a whole number";
            return false;
        }

        if (target == typeof(long))
        {
            if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) { value = l; return true; }
            problem = $"{quoted} is not a whole number";
            return false;
        }

        if (target == typeof(double))
        {
            if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) { value = d; return true; }
            problem = $"{quoted} is not a number";
            return false;
        }

        if (target == typeof(TimeSpan))
        {
            if (GoDuration.TryParse(trimmed, out var t)) { value = t; return true; }
            problem = $"{quoted} is not a duration (for example 30s, 5m, 1h30m)";
            return false;
        }

        if (target == typeof(Uri))
        {
            if (Uri.TryCreate(trimmed, UriKind.Absolute, out var uri)) { value = uri; return true; }
            problem = $"{quoted} is not an absolute URL";
            return false;
        }

        if (target == typeof(string[]) || target == typeof(IReadOnlyList<string>) || target == typeof(IEnumerable<string>)
            || target == typeof(IReadOnlyCollection<string>))
        {
            value = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            return true;
        }

        if (target.IsEnum)
        {
            var wanted = Normalize(trimmed);
            foreach (var name in Enum.GetNames(target))
            {
                if (Normalize(name) != wanted || wanted.Length == 0) continue;
                value = Enum.Parse(target, name);
                return true;
            }

            var allowed = string.Join(", ", Enum.GetNames(target).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)));
            problem = $"{quoted} is not one of: {allowed}";
            return false;
        }

        problem = $"properties of type {target.Name} cannot be bound from configuration";
        return false;
    }

    private static string Normalize(string name)
        => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();

    private static string Quote(string text)
        => text.Length <= MaxQuotedValueLength ? $"\"{text}\"" : $"\"{text[..MaxQuotedValueLength]}…\"";
}
