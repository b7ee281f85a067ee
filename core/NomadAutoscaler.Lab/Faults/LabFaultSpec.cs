using System.Globalization;

namespace NomadAutoscaler.Lab.Faults;

/// <summary>One class of fault the lab can inject, and what its rate means.</summary>
public enum LabFaultClass
{
    /// <summary>A Nomad API request (<c>/v1/</c>) is answered 500 or 503. Rate: per request.</summary>
    NomadError,

    /// <summary>A Nomad API request never answers; the client's own deadline ends it. Rate: per request.</summary>
    NomadTimeout,

    /// <summary>A cloud create request fails with 500 and creates nothing. Rate: per create request.</summary>
    CloudCreate,

    /// <summary>A new server goes to ERROR instead of ACTIVE. Rate: per server.</summary>
    CloudError,

    /// <summary>A new server goes ACTIVE but its Nomad client never joins. Rate: per server.</summary>
    NeverJoin,

    /// <summary>A pool node goes down (its allocations are lost) and comes back 30 s to 5 min later. Rate: per hour.</summary>
    NodeFlap,

    /// <summary>The agent dies (no call of it answers again) and a new one starts 10 to 60 s later, knowing only what
    /// Nomad and the cloud hold. Rate: per hour.</summary>
    AgentRestart,

    /// <summary>A plugin call fails, as one to a crashed plugin process does. Rate: per call.</summary>
    PluginError,

    /// <summary>An APM query, strategy run or target status call never returns. Rate: per call.</summary>
    PluginHang,

    /// <summary>A blocking query (one with an <c>index</c>) answers, but 5 to 60 s late, as a loaded server's does.
    /// Rate: per blocking request.</summary>
    SlowQuery,

    /// <summary>A lock request (<c>/v1/var/...?lock-acquire</c>, <c>lock-renew</c>, <c>lock-release</c>) is answered
    /// 500. Only with HA. Rate: per lock request.</summary>
    LockError,

    /// <summary>The leader loses Nomad: its <c>/v1/</c> requests never answer for 30 s to 5 min, while the cloud still
    /// answers it. Only with HA. Rate: per hour.</summary>
    LeaderPartition,
}

/// <summary>The <c>-faults</c> flag: which fault classes a lab run draws, and how often.</summary>
/// <remarks>Syntax: <c>all</c>, or a comma-separated list of <c>class</c> or <c>class=rate</c> items, e.g.
/// <c>nomad-error=0.05,agent-restart=2</c>; <c>all,node-flap=0</c> takes every class at its default and then
/// turns one off. A class without a rate takes its default (<see cref="Defaults"/>).</remarks>
public sealed record LabFaultSpec
{
    /// <summary>Every class with its default rate: what <c>all</c> stands for.</summary>
    public static readonly IReadOnlyDictionary<LabFaultClass, double> Defaults = new Dictionary<LabFaultClass, double>
    {
        [LabFaultClass.NomadError] = 0.02,
        [LabFaultClass.NomadTimeout] = 0.002,
        [LabFaultClass.CloudCreate] = 0.1,
        [LabFaultClass.CloudError] = 0.1,
        [LabFaultClass.NeverJoin] = 0.05,
        [LabFaultClass.NodeFlap] = 2,
        [LabFaultClass.AgentRestart] = 1,
        [LabFaultClass.PluginError] = 0.01,
        [LabFaultClass.PluginHang] = 0.002,
        [LabFaultClass.SlowQuery] = 0.02,
        [LabFaultClass.LockError] = 0.05,
        [LabFaultClass.LeaderPartition] = 1,
    };

    /// <summary>The classes whose rate is a number of events per hour; every other rate is a probability.</summary>
    public static bool IsPerHour(LabFaultClass faultClass) => faultClass is LabFaultClass.NodeFlap or LabFaultClass.AgentRestart or LabFaultClass.LeaderPartition;

    private static readonly IReadOnlyDictionary<string, LabFaultClass> Names = Enum.GetValues<LabFaultClass>().ToDictionary(Name, c => c, StringComparer.Ordinal);

    public static readonly LabFaultSpec None = new() { Rates = new Dictionary<LabFaultClass, double>() };

    /// <summary>The classes switched on, each with its rate (see each class for the unit).</summary>
    public required IReadOnlyDictionary<LabFaultClass, double> Rates { get; init; }

    public double Rate(LabFaultClass faultClass) => Rates.GetValueOrDefault(faultClass);

    public bool Any => Rates.Values.Any(r => r > 0);

    /// <summary>The class's name on the command line: <c>NomadError</c> is <c>nomad-error</c>.</summary>
    public static string Name(LabFaultClass faultClass) =>
        string.Concat(faultClass.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <exception cref="FormatException">An unknown class or a bad rate; the message names the item.</exception>
    public static LabFaultSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rates = new Dictionary<LabFaultClass, double>();
        var items = text.Split(',');
        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i].Trim();
            if (item.Length == 0) throw new FormatException($"-faults: item {i + 1} is empty");
            if (item is "all")
            {
                foreach (var (faultClass, rate) in Defaults) rates[faultClass] = rate;
                continue;
            }

            if (item is "none") continue;
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? item : item[..equals].Trim();
            if (!Names.TryGetValue(name, out var parsed))
                throw new FormatException($"-faults: item {i + 1}: unknown fault class \"{name}\"; known: all, {string.Join(", ", Names.Keys)}");
            var value = Defaults[parsed];
            if (equals >= 0)
            {
                var rateText = item[(equals + 1)..].Trim();
                var perCall = !IsPerHour(parsed);
                if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || value < 0 || double.IsNaN(value) || double.IsInfinity(value) || (perCall && value > 1))
                    throw new FormatException($"-faults: item {i + 1}: rate \"{rateText}\" of {name} must be {(perCall ? "a probability from 0 to 1" : "a number of events per hour, 0 or more")}");
            }

            rates[parsed] = value;
        }

        return new LabFaultSpec { Rates = rates };
    }

    /// <summary>The spec as <see cref="Parse"/> reads it, classes in a fixed order.</summary>
    public override string ToString() =>
        Rates.Count == 0 ? "none" : string.Join(",", Rates.OrderBy(r => r.Key).Select(r => $"{Name(r.Key)}={r.Value.ToString(CultureInfo.InvariantCulture)}"));
}
