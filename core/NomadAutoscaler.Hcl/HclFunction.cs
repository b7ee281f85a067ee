namespace NomadAutoscaler.Hcl;

/// <summary>A function callable from expressions. Implementations throw <see cref="HclFunctionException"/> for bad arguments.</summary>
public sealed class HclFunction
{
    public HclFunction(int parameterCount, bool variadic, Func<IReadOnlyList<HclValue>, HclValue> implementation)
    {
        ParameterCount = parameterCount;
        Variadic = variadic;
        Implementation = implementation;
    }

    /// <summary>Number of required positional parameters.</summary>
    public int ParameterCount { get; }

    /// <summary>Whether any number of further arguments is accepted.</summary>
    public bool Variadic { get; }

    public Func<IReadOnlyList<HclValue>, HclValue> Implementation { get; }
}
