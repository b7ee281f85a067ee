using System.Globalization;
using System.Text;
using NomadAutoscaler.Hcl.Json;

namespace NomadAutoscaler.Hcl;

/// <summary>
/// The functions <see cref="HclEvalContext.WithStandardFunctions"/> provides, following cty's stdlib semantics:
/// jsonencode, jsondecode, upper, lower, trimspace, chomp, replace, split, join, concat, length, min, max, abs,
/// ceil, floor, coalesce, contains, keys, values, merge, reverse, tostring, tonumber, tobool.
/// </summary>
public static class HclStandardFunctions
{
    public static IReadOnlyDictionary<string, HclFunction> All { get; } = new Dictionary<string, HclFunction>(StringComparer.Ordinal)
    {
        ["jsonencode"] = new(1, false, a => HclValue.String(Finite(a[0]).ToJson())),
        ["jsondecode"] = new(1, false, a => JsonParser.DecodeValue(Str(a, 0))),
        ["upper"] = new(1, false, a => HclValue.String(Str(a, 0).ToUpperInvariant())),
        ["lower"] = new(1, false, a => HclValue.String(Str(a, 0).ToLowerInvariant())),
        ["trimspace"] = new(1, false, a => HclValue.String(Str(a, 0).Trim())),
        ["chomp"] = new(1, false, a => HclValue.String(Str(a, 0).TrimEnd('\n', '\r'))),
        ["replace"] = new(3, false, a => HclValue.String(Str(a, 0).Replace(Str(a, 1), Str(a, 2), StringComparison.Ordinal))),
        ["split"] = new(2, false, a => HclValue.Tuple(Str(a, 1).Split(Str(a, 0)).Select(HclValue.String))),
        ["join"] = new(1, true, Join),
        ["concat"] = new(0, true, a => HclValue.Tuple(a.SelectMany((v, i) => Seq(v, i)))),
        ["length"] = new(1, false, Length),
        ["min"] = new(0, true, a => Extreme(a, wantMax: false)),
        ["max"] = new(0, true, a => Extreme(a, wantMax: true)),
        ["abs"] = new(1, false, a => Num(a, 0).Sign < 0 ? HclValue.Number(Num(a, 0).Negate()) : a[0]),
        ["ceil"] = new(1, false, a => Round(a, up: true)),
        ["floor"] = new(1, false, a => Round(a, up: false)),
        ["coalesce"] = new(0, true, a => a.FirstOrDefault(v => !v.IsNull && !(v.Kind == HclValueKind.String && v.AsString().Length == 0))
            ?? throw new HclFunctionException("no non-null, non-empty-string arguments")),
        ["contains"] = new(2, false, a => HclValue.Bool(Seq(a[0], 0).Any(v => v.Equals(a[1])))),
        ["keys"] = new(1, false, a => HclValue.Tuple(Obj(a, 0).Keys.Select(HclValue.String))),
        ["values"] = new(1, false, a => HclValue.Tuple(Obj(a, 0).Values)),
        ["merge"] = new(0, true, a => HclValue.Object(a.Where(v => !v.IsNull).SelectMany((v, i) => Obj([v], 0)))),
        ["reverse"] = new(1, false, a => HclValue.Tuple(Seq(a[0], 0).Reverse())),
        ["tostring"] = new(1, false, a => Convert(a[0], HclValueKind.String)),
        ["tonumber"] = new(1, false, a => Convert(a[0], HclValueKind.Number)),
        ["tobool"] = new(1, false, a => Convert(a[0], HclValueKind.Bool)),
    };

    private static string Str(IReadOnlyList<HclValue> args, int index)
    {
        var value = args[index];
        if (value.IsNull || !value.TryConvert(HclValueKind.String, out var converted))
        {
            throw new HclFunctionException(index, value.IsNull ? "argument must not be null." : "string required.");
        }

        return converted.AsString();
    }

    private static HclNumber Num(IReadOnlyList<HclValue> args, int index)
    {
        var value = args[index];
        if (value.IsNull || !value.TryConvert(HclValueKind.Number, out var converted))
        {
            throw new HclFunctionException(index, value.IsNull ? "argument must not be null." : "a number is required.");
        }

        return converted.NumberValue!;
    }

    private static IReadOnlyList<HclValue> Seq(HclValue value, int index) =>
        value.Kind == HclValueKind.Tuple ? value.AsTuple() : throw new HclFunctionException(index, "a list, set, or tuple is required.");

    private static IReadOnlyDictionary<string, HclValue> Obj(IReadOnlyList<HclValue> args, int index) =>
        args[index].Kind == HclValueKind.Object ? args[index].AsObject() : throw new HclFunctionException(index, "a map or object is required.");

    private static HclValue Convert(HclValue value, HclValueKind kind) =>
        value.TryConvert(kind, out var converted) ? converted : throw new HclFunctionException(0, string.Create(CultureInfo.InvariantCulture, $"cannot convert {value.TypeName} to {kind.ToString().ToLowerInvariant()}."));

    private static HclValue Join(IReadOnlyList<HclValue> args)
    {
        var separator = Str(args, 0);
        var items = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            foreach (var item in Seq(args[i], i))
            {
                if (item.IsNull || !item.TryConvert(HclValueKind.String, out var text))
                {
                    throw new HclFunctionException(i, "element must be a string.");
                }

                items.Add(text.AsString());
            }
        }

        return HclValue.String(string.Join(separator, items));
    }

    private static HclValue Length(IReadOnlyList<HclValue> args)
    {
        var value = args[0];
        return value.Kind switch
        {
            HclValueKind.Tuple => HclValue.Number(value.AsTuple().Count),
            HclValueKind.Object => HclValue.Number(value.AsObject().Count),
            HclValueKind.String => HclValue.Number(new StringInfo(value.AsString()).LengthInTextElements),
            _ => throw new HclFunctionException(0, "argument must be a string, a collection type, or a structural type."),
        };
    }

    private static HclValue Extreme(IReadOnlyList<HclValue> args, bool wantMax)
    {
        if (args.Count == 0)
        {
            throw new HclFunctionException("must pass at least one number");
        }

        var best = Num(args, 0);
        for (var i = 1; i < args.Count; i++)
        {
            var candidate = Num(args, i);
            if (wantMax ? candidate.CompareTo(best) > 0 : candidate.CompareTo(best) < 0)
            {
                best = candidate;
            }
        }

        return HclValue.Number(best);
    }

    private static HclValue Round(IReadOnlyList<HclValue> args, bool up)
    {
        var number = Num(args, 0);
        if (number.IsInfinity || number.IsInteger)
        {
            return HclValue.Number(number);
        }

        var truncated = number.Truncate();
        if (up && number.Sign > 0)
        {
            truncated += 1;
        }
        else if (!up && number.Sign < 0)
        {
            truncated -= 1;
        }

        return HclValue.Number(truncated);
    }

    internal static string Describe() => new StringBuilder().AppendJoin(", ", All.Keys).ToString();

    /// <summary>As cty's JSON encoder: JSON has no infinity, so <c>jsonencode(1/0)</c> is an error, not <c>+Inf</c>.</summary>
    private static HclValue Finite(HclValue value)
    {
        switch (value.Kind)
        {
            case HclValueKind.Number when value.NumberValue is { IsInfinity: true }:
                throw new HclFunctionException("cannot serialize infinity as JSON");
            case HclValueKind.Tuple:
                foreach (var item in value.AsTuple()) Finite(item);
                break;
            case HclValueKind.Object:
                foreach (var item in value.AsObject().Values) Finite(item);
                break;
        }

        return value;
    }
}
