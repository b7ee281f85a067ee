using System.Globalization;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Nomad.Cluster;

/// <summary>How many nodes of a pool may be draining at once (<c>max_draining</c>): a count, or a percentage of the
/// pool's live members rounded up, so any non-zero percentage allows one node.</summary>
public sealed record DisruptionBudget
{
    /// <summary>A fixed count, or null when <see cref="Percent"/> is set.</summary>
    public int? Count { get; init; }

    /// <summary>A percentage of the pool (0 to 100), or null when <see cref="Count"/> is set.</summary>
    public double? Percent { get; init; }

    /// <summary>How many nodes may be draining in a pool of <paramref name="poolSize"/> live members.</summary>
    public int Limit(int poolSize) => Count ?? (int)Math.Ceiling(poolSize * Percent!.Value / 100.0);

    /// <summary>Parses <c>3</c> or <c>25%</c>.</summary>
    /// <exception cref="PluginConfigException">Not a non-negative count or a percentage from 0 to 100.</exception>
    public static DisruptionBudget Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.EndsWith('%')
            && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
            && percent is >= 0 and <= 100)
            return new DisruptionBudget { Percent = percent };
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)) return new DisruptionBudget { Count = count };
        throw new PluginConfigException(ClusterConfigKeys.MaxDraining, $"\"{value}\" is neither a node count (2) nor a percentage of the pool (25%)");
    }

    /// <inheritdoc />
    public override string ToString() => Count is { } count ? count.ToString(CultureInfo.InvariantCulture) : Percent!.Value.ToString(CultureInfo.InvariantCulture) + "%";
}
