using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Agent.Cli;

/// <summary>How a flag takes its value.</summary>
internal enum FlagKind
{
    /// <summary>Takes no value (<c>-x</c>), or <c>-x=true|false</c>.</summary>
    Bool,

    /// <summary>Takes one value (<c>-x=v</c> or <c>-x v</c>); the last one given wins.</summary>
    String,

    /// <summary>Takes one value each time it is given; every value is kept, in order.</summary>
    Repeatable,
}

/// <summary>One flag: its name without the dash, how it takes a value, a value placeholder and help text.</summary>
internal sealed record FlagSpec(string Name, FlagKind Kind, string Placeholder, string Help);

/// <summary>Flags as given on the command line: name → values in order (a bool flag's value is "true"/"false").</summary>
internal sealed class ParsedFlags
{
    public Dictionary<string, List<string>> Values { get; } = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public bool HelpRequested { get; set; }

    public bool Has(string name) => Values.ContainsKey(name);

    public string? Last(string name) => Values.TryGetValue(name, out var list) && list.Count > 0 ? list[^1] : null;

    public IReadOnlyList<string> All(string name) => Values.TryGetValue(name, out var list) ? list : [];
}

/// <summary>
/// Go's <c>flag</c> package syntax: <c>-flag</c>, <c>--flag</c>, <c>-flag=value</c>, <c>-flag value</c> (not for bools),
/// parsing stops at the first non-flag argument or after <c>--</c>. Error texts are Go's.
/// </summary>
internal static class GoFlags
{
    public static ParsedFlags Parse(IReadOnlyList<string> args, IReadOnlyList<FlagSpec> specs)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var parsed = new ParsedFlags();
        var i = 0;
        for (; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-') break;
            if (arg == "--")
            {
                i++;
                break;
            }

            var name = arg[1] == '-' ? arg[2..] : arg[1..];
            if (name.Length == 0 || name[0] == '-' || name[0] == '=') throw new FlagException($"bad flag syntax: {arg}");

            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (!byName.TryGetValue(name, out var spec))
            {
                if (name is "h" or "help")
                {
                    parsed.HelpRequested = true;
                    continue;
                }

                throw new FlagException($"flag provided but not defined: -{name}");
            }

            if (spec.Kind == FlagKind.Bool)
            {
                value ??= "true";
                if (!GoValues.TryParseBool(value, out var b)) throw new FlagException($"invalid boolean value \"{value}\" for -{name}: parse error");
                value = b ? "true" : "false";
            }
            else if (value is null)
            {
                if (i + 1 >= args.Count) throw new FlagException($"flag needs an argument: -{name}");
                value = args[++i];
            }

            if (!parsed.Values.TryGetValue(name, out var list)) parsed.Values[name] = list = [];
            list.Add(value);
        }

        for (; i < args.Count; i++) parsed.Positional.Add(args[i]);
        return parsed;
    }
}

/// <summary>A command line that cannot be used; the message is what the user sees.</summary>
internal sealed class FlagException : Exception
{
    public FlagException()
    {
    }

    public FlagException(string message)
        : base(message)
    {
    }

    public FlagException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
