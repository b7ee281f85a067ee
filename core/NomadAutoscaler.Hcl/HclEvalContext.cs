namespace NomadAutoscaler.Hcl;

/// <summary>Variables and functions visible to expressions.</summary>
public sealed class HclEvalContext
{
    public HclEvalContext()
    {
    }

    private HclEvalContext(HclEvalContext parent)
    {
        Parent = parent;
    }

    public IDictionary<string, HclValue> Variables { get; } = new Dictionary<string, HclValue>(StringComparer.Ordinal);

    public IDictionary<string, HclFunction> Functions { get; } = new Dictionary<string, HclFunction>(StringComparer.Ordinal);

    internal HclEvalContext? Parent { get; }

    /// <summary>A context holding the standard functions (see <see cref="HclStandardFunctions"/>).</summary>
    public static HclEvalContext WithStandardFunctions()
    {
        var context = new HclEvalContext();
        foreach (var (name, function) in HclStandardFunctions.All)
        {
            context.Functions[name] = function;
        }

        return context;
    }

    internal HclEvalContext NewChild() => new(this);

    internal bool TryGetVariable(string name, out HclValue value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.Variables.TryGetValue(name, out value!))
            {
                return true;
            }
        }

        value = HclValue.Null;
        return false;
    }

    internal bool TryGetFunction(string name, out HclFunction function)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.Functions.TryGetValue(name, out function!))
            {
                return true;
            }
        }

        function = null!;
        return false;
    }

    internal bool HasFunctions
    {
        get
        {
            for (var scope = this; scope is not null; scope = scope.Parent)
            {
                if (scope.Functions.Count > 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
