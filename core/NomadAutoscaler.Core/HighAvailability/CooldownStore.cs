using System.Globalization;
using NomadAutoscaler.Core.Threading;
using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Core.HighAvailability;

/// <summary>Cooldown deadlines kept where the next leader can read them. The target's <c>last_event</c> status meta
/// covers targets whose history lives in Nomad (nomad-target); a plugin that keeps it in its own memory (os-nova)
/// loses it with the agent that ran it, so the leader also writes each deadline here.</summary>
internal interface ICooldownStore
{
    /// <summary>The recorded cooldown deadline of a policy, read once per leadership term.</summary>
    Task<DateTimeOffset?> GetAsync(string policyId, CancellationToken term, CancellationToken cancellationToken);

    Task RecordAsync(string policyId, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary><see cref="ICooldownStore"/> on one Nomad variable: item key = policy ID, value = the cooldown deadline
/// (RFC 3339, UTC). Only the leader writes it; it reads it once per term and then keeps its own copy current.</summary>
internal sealed class NomadCooldownStore(NomadClient client, string path, string @namespace, TimeProvider time) : ICooldownStore
{
    /// <summary>Bounds each call, so a hung Nomad cannot hold an evaluation for longer than a renew period.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly InlineAsyncSemaphore _sync = new(1);
    private Dictionary<string, DateTimeOffset>? _known;
    private CancellationToken _loadedFor;

    public string Path => path;

    public async Task<DateTimeOffset?> GetAsync(string policyId, CancellationToken term, CancellationToken cancellationToken)
    {
        await _sync.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_known is null || _loadedFor != term)
            {
                using var timeout = new CancellationTokenSource(CallTimeout, time);
                using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                var result = await client.GetVariableAsync(path, new QueryOptions { Namespace = @namespace }, call.Token).ConfigureAwait(false);
                _known = Parse(result.Value?.Items);
                _loadedFor = term;
            }

            return _known.TryGetValue(policyId, out var until) ? until : null;
        }
        finally
        {
            _sync.Exit();
        }
    }

    public async Task RecordAsync(string policyId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await _sync.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            var known = _known ?? [];
            known[policyId] = until;
            // Deadlines in the past carry no information; dropping them keeps the variable small.
            foreach (var stale in known.Where(k => k.Value <= now).Select(k => k.Key).ToList()) known.Remove(stale);
            _known = known;
            if (known.Count == 0) return;
            var items = known.ToDictionary(k => k.Key, k => k.Value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), StringComparer.Ordinal);
            using var timeout = new CancellationTokenSource(CallTimeout, time);
            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await client.PutVariableAsync(path, items, options: new WriteOptions { Namespace = @namespace }, cancellationToken: call.Token).ConfigureAwait(false);
        }
        finally
        {
            _sync.Exit();
        }
    }

    private static Dictionary<string, DateTimeOffset> Parse(IReadOnlyDictionary<string, string>? items)
    {
        var known = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (key, value) in items ?? new Dictionary<string, string>())
        {
            // An unreadable entry is skipped rather than failing the handover of every other policy.
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var until))
                known[key] = until;
        }

        return known;
    }
}
