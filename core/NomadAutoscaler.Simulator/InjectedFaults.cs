namespace NomadAutoscaler.Simulator;

/// <summary>Failures a test switches on at run time: every request whose path starts with a prefix is answered with
/// a fixed status before it reaches the state, as an overloaded or broken Nomad server would answer it.</summary>
public sealed class InjectedFaults
{
    private volatile (string Prefix, int StatusCode, string Body)[] _faults = [];

    /// <summary>Answers every request under <paramref name="pathPrefix"/> (e.g. <c>/v1/var/</c>) with
    /// <paramref name="statusCode"/> until <see cref="Clear"/>.</summary>
    public void Fail(string pathPrefix, int statusCode = 500, string body = "rpc error: injected fault")
    {
        ArgumentException.ThrowIfNullOrEmpty(pathPrefix);
        _faults = [.. _faults, (pathPrefix, statusCode, body)];
    }

    public void Clear() => _faults = [];

    /// <summary>How many requests were answered with an injected fault.</summary>
    public int Hits => _hits;

    private int _hits;

    internal (int StatusCode, string Body)? Match(string path)
    {
        foreach (var (prefix, code, body) in _faults)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _hits);
                return (code, body);
            }
        }

        return null;
    }
}
