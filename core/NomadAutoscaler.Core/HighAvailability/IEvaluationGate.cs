namespace NomadAutoscaler.Core.HighAvailability;

/// <summary>Decides whether this agent may evaluate policies right now. In HA mode only the lock holder may; the
/// token it hands out is cancelled the moment that right ends, so an evaluation in progress stops with it.</summary>
internal interface IEvaluationGate
{
    /// <summary>True, with a token that is cancelled when leadership ends, if this agent may evaluate now.</summary>
    bool TryEnter(out CancellationToken term);

    /// <summary>Where cooldowns are handed from one leader to the next; null without HA.</summary>
    ICooldownStore? Cooldowns { get; }
}

/// <summary>The gate of an agent without HA: always open, never revoked.</summary>
internal sealed class OpenEvaluationGate : IEvaluationGate
{
    public static readonly OpenEvaluationGate Instance = new();

    public ICooldownStore? Cooldowns => null;

    public bool TryEnter(out CancellationToken term)
    {
        term = CancellationToken.None;
        return true;
    }
}
