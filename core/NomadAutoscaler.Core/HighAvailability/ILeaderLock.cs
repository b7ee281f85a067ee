using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Core.HighAvailability;

/// <summary>The distributed lock the election runs on (a Nomad variable lock). A held-elsewhere or lost lock is a
/// result; any other failure is an exception, which the election retries.</summary>
internal interface ILeaderLock
{
    /// <summary>Takes the lock; null when another instance holds it (HTTP 409).</summary>
    Task<VariableLock?> TryAcquireAsync(CancellationToken cancellationToken);

    /// <summary>Renews the lock; false when it is no longer ours (HTTP 409).</summary>
    Task<bool> RenewAsync(VariableLock held, CancellationToken cancellationToken);

    Task ReleaseAsync(VariableLock held, CancellationToken cancellationToken);
}

/// <summary><see cref="ILeaderLock"/> on <c>/v1/var/&lt;lock_path&gt;?lock-*</c>.</summary>
internal sealed class NomadVariableLock(NomadClient client, string path, string @namespace, TimeSpan ttl, TimeSpan delay) : ILeaderLock
{
    private readonly WriteOptions _options = new() { Namespace = @namespace };

    public async Task<VariableLock?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var result = await client.AcquireLockAsync(path, ttl, delay, _options, cancellationToken).ConfigureAwait(false);
        if (result.IsConflict) return null;
        return result.Variable?.Lock is { ID.Length: > 0 } held
            ? held
            : throw new InvalidOperationException("Nomad answered the lock acquire without a lock ID");
    }

    public async Task<bool> RenewAsync(VariableLock held, CancellationToken cancellationToken)
        => !(await client.RenewLockAsync(path, held, _options, cancellationToken).ConfigureAwait(false)).IsConflict;

    public Task ReleaseAsync(VariableLock held, CancellationToken cancellationToken)
        => client.ReleaseLockAsync(path, held, _options, cancellationToken);
}
