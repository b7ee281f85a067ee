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

    public void Clear()
    {
        _faults = [];
        lock (_beforeLock) _before.Clear();
    }

    private readonly List<(string Method, string Prefix, Action<string> Action)> _before = [];
    private readonly Lock _beforeLock = new();

    /// <summary>Runs <paramref name="action"/> (given the request path) once, just before the first
    /// <paramref name="method"/> request under <paramref name="pathPrefix"/> reaches the state: a test makes something
    /// happen in the cluster at an unlucky moment, such as an allocation landing on a node between the autoscaler
    /// choosing it and marking it ineligible.</summary>
    public void BeforeFirst(string method, string pathPrefix, Action<string> action)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentException.ThrowIfNullOrEmpty(pathPrefix);
        ArgumentNullException.ThrowIfNull(action);
        lock (_beforeLock) _before.Add((method, pathPrefix, action));
    }

    internal void RunBefore(string method, string path)
    {
        Action<string>? action = null;
        lock (_beforeLock)
        {
            var index = _before.FindIndex(h => string.Equals(h.Method, method, StringComparison.OrdinalIgnoreCase) && path.StartsWith(h.Prefix, StringComparison.Ordinal));
            if (index < 0) return;
            action = _before[index].Action;
            _before.RemoveAt(index);
        }

        action(path);
    }

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
