using System.Text.RegularExpressions;

namespace NomadAutoscaler.Simulator.State;

/// <summary>Nomad Variables and their locks (HA leader election), including the server-side 2×TTL timer and lock delay.</summary>
internal sealed partial class ClusterState
{
    private static readonly Regex s_validPath = new("^[a-zA-Z0-9-_~/]{1,128}$", RegexOptions.Compiled, TimeSpan.FromSeconds(1));

    public static void ValidatePath(string path)
    {
        if (path.Length == 0)
        {
            throw new NomadError(400, "missing variable path");
        }

        if (!s_validPath.IsMatch(path))
        {
            throw new NomadError(400, $"RPC Error:: 400,1 error occurred:\n\t* invalid path \"{path}\"\n\n");
        }
    }

    public SimVariable? GetVariable(string ns, string path) => Variables.GetValueOrDefault((ns, path));

    public SimVariable UpsertVariable(string ns, string path, Dictionary<string, string>? items, ulong? cas, string? lockId)
    {
        ValidatePath(path);
        if (items is null || items.Count == 0)
        {
            throw new NomadError(400, "RPC Error:: 400,1 error occurred:\n\t* variable missing required Items object\n\n");
        }

        var existing = GetVariable(ns, path);
        CheckCas(ns, path, existing, cas);
        if (existing?.Lock is { } held && held.ID != lockId)
        {
            throw Conflict(ns, path);
        }

        var index = NextIndex(TableVariables);
        var variable = existing ?? new SimVariable { Namespace = ns, Path = path, CreateIndex = index, CreateTime = NowUnixNano };
        variable.Items = new Dictionary<string, string>(items, StringComparer.Ordinal);
        variable.ModifyIndex = index;
        variable.ModifyTime = NowUnixNano;
        Variables[(ns, path)] = variable;
        return variable;
    }

    public void DeleteVariable(string ns, string path, ulong? cas)
    {
        ValidatePath(path);
        var existing = GetVariable(ns, path);
        CheckCas(ns, path, existing, cas);
        if (existing is null)
        {
            return;
        }

        if (existing.Lock is not null)
        {
            throw Conflict(ns, path);
        }

        NextIndex(TableVariables);
        Variables.Remove((ns, path));
    }

    public SimVariable AcquireLock(string ns, string path, Dictionary<string, string>? items, TimeSpan ttl, TimeSpan delay, string? lockId)
    {
        ValidatePath(path);
        if (ttl == TimeSpan.Zero)
        {
            ttl = TimeSpan.FromSeconds(15);
        }

        if (delay == TimeSpan.Zero)
        {
            delay = TimeSpan.FromSeconds(15);
        }

        if (ttl < TimeSpan.Zero || delay < TimeSpan.Zero)
        {
            throw new NomadError(400, "RPC Error:: 400,1 error occurred:\n\t* Lock delay and TTL must be positive\n\n");
        }

        if (ttl < TimeSpan.FromSeconds(10) || ttl > TimeSpan.FromHours(24))
        {
            throw new NomadError(400, "RPC Error:: 400,1 error occurred:\n\t* TTL must be between 10 seconds and 24 hours\n\n");
        }

        var existing = GetVariable(ns, path);
        if (existing?.Lock is { } held)
        {
            if (string.IsNullOrEmpty(lockId) || held.ID != lockId || held.RemoveAt is not null)
            {
                throw Conflict(ns, path);
            }
        }

        var index = NextIndex(TableVariables);
        var variable = existing ?? new SimVariable { Namespace = ns, Path = path, CreateIndex = index, CreateTime = NowUnixNano };
        if (items is not null)
        {
            variable.Items = new Dictionary<string, string>(items, StringComparer.Ordinal);
        }

        variable.Lock = new SimLock
        {
            ID = existing?.Lock?.ID ?? Settings.NewId(),
            TTL = ttl,
            LockDelay = delay,
            TimerExpiresAt = Now + (2 * ttl),
        };
        variable.ModifyIndex = index;
        variable.ModifyTime = NowUnixNano;
        Variables[(ns, path)] = variable;
        return variable;
    }

    public SimVariable RenewLock(string ns, string path, string? lockId)
    {
        if (string.IsNullOrEmpty(lockId))
        {
            throw new NomadError(500, "1 error occurred:\n\t* missing lock ID\n\n");
        }

        var existing = GetVariable(ns, path) ?? throw new NomadError(404, "variable doesn't exist");
        if (existing.Lock is not { } held)
        {
            throw new NomadError(409, "variable doesn't hold a lock");
        }

        if (held.ID != lockId || held.RemoveAt is not null)
        {
            throw new NomadError(409, "attempting to modify locked variable");
        }

        held.TimerExpiresAt = Now + (2 * held.TTL);
        return existing;
    }

    public SimVariable ReleaseLock(string ns, string path, string? lockId, bool hasItems)
    {
        if (hasItems)
        {
            throw new NomadError(400, "RPC Error:: 400,lock release operation doesn't take variable items");
        }

        if (string.IsNullOrEmpty(lockId))
        {
            throw new NomadError(400, "RPC Error:: 400,missing lock information");
        }

        var existing = GetVariable(ns, path) ?? throw new NomadError(404, "variable doesn't exist");
        if (existing.Lock is not { } held)
        {
            throw new NomadError(409, "variable doesn't hold a lock");
        }

        if (held.ID != lockId)
        {
            throw Conflict(ns, path);
        }

        var index = NextIndex(TableVariables);
        existing.Lock = null;
        existing.ModifyIndex = index;
        existing.ModifyTime = NowUnixNano;
        return existing;
    }

    private void AdvanceLocks()
    {
        var now = Now;
        foreach (var variable in Variables.Values)
        {
            if (variable.Lock is not { } held)
            {
                continue;
            }

            if (held.RemoveAt is null && held.TimerExpiresAt <= now)
            {
                held.RemoveAt = held.TimerExpiresAt + held.LockDelay;
            }

            if (held.RemoveAt is { } removeAt && removeAt <= now)
            {
                variable.Lock = null;
                variable.ModifyIndex = NextIndex(TableVariables);
                variable.ModifyTime = NowUnixNano;
            }
        }
    }

    private void CheckCas(string ns, string path, SimVariable? existing, ulong? cas)
    {
        if (cas is not { } expected)
        {
            return;
        }

        if ((expected == 0 && existing is not null) || (expected != 0 && (existing is null || existing.ModifyIndex != expected)))
        {
            var body = existing is null
                ? Api.NomadJson.VariableConflict(ns, path)
                : Api.NomadJson.Variable(existing, includeItems: true, includeLock: false);
            throw new NomadError(409, body.ToJsonString(), existing?.ModifyIndex, jsonBody: true);
        }
    }

    private static NomadError Conflict(string ns, string path) =>
        new(409, Api.NomadJson.VariableConflict(ns, path).ToJsonString(), null, jsonBody: true);
}
