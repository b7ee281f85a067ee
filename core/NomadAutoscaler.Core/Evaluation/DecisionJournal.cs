using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NomadAutoscaler.Core.Policy;
using NomadAutoscaler.Nomad;
using ScalingPolicy = NomadAutoscaler.Core.Policy.ScalingPolicy;

namespace NomadAutoscaler.Core.Evaluation;

/// <summary>A scaling action that was carried out (not a no-op), as the history across restarts shows it.</summary>
/// <param name="Time">When the target accepted it.</param>
/// <param name="From">The count before; null when the record does not say.</param>
/// <param name="To">The count asked for.</param>
/// <param name="Reason">The strategy's reason.</param>
/// <param name="Restored">True when read back from Nomad at start rather than made by this run of the agent.</param>
public sealed record ScalingDecision(DateTimeOffset Time, long? From, long To, string Reason, bool Restored = false);

/// <summary>Where scaling decisions outlive the agent that made them, so the history shows across restarts and
/// failovers.</summary>
internal interface IDecisionJournal
{
    /// <summary>The policy's recorded decisions, newest first.</summary>
    Task<IReadOnlyList<ScalingDecision>> ReadAsync(ScalingPolicy policy, CancellationToken cancellationToken);

    /// <summary>Records the policy's decisions (newest first, already bounded) after one was added.</summary>
    Task RecordAsync(ScalingPolicy policy, IReadOnlyList<ScalingDecision> newestFirst, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="IDecisionJournal"/> in Nomad. A task group's decisions are Nomad's own scaling events: nomad-target
/// sends the reason with each scale request, and <c>GET /v1/job/:id/scale</c> returns them, so nothing more is
/// written. A node pool has no such record, so its decisions go to one variable per policy under the agent's lock
/// path (<c>&lt;lock_path&gt;/decisions/&lt;policy id&gt;</c>, item <c>decisions</c>: a JSON array, newest first).
/// </summary>
internal sealed class NomadDecisionJournal(NomadClient client, string lockPath, string @namespace, TimeProvider time) : IDecisionJournal
{
    /// <summary>Bounds each call, so a slow Nomad delays an evaluation's bookkeeping, not the next evaluation.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public const string Item = "decisions";

    /// <summary>The variable of a cluster policy's decisions. A variable path takes letters, digits and <c>-_~/</c>;
    /// anything else in a policy ID becomes <c>-</c>.</summary>
    public string PathFor(string policyId)
    {
        var safe = new StringBuilder(policyId.Length);
        foreach (var c in policyId) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '~' ? c : '-');
        return $"{lockPath}/decisions/{safe}";
    }

    public async Task<IReadOnlyList<ScalingDecision>> ReadAsync(ScalingPolicy policy, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(CallTimeout, time);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        if (TaskGroup(policy) is { } group)
        {
            var status = (await client.GetJobScaleStatusAsync(group.Job, new QueryOptions { Namespace = group.Namespace }, call.Token).ConfigureAwait(false)).Value;
            if (status.TaskGroups is null || !status.TaskGroups.TryGetValue(group.Group, out var groupStatus) || groupStatus.Events is null) return [];
            return [.. groupStatus.Events
                .Where(e => e is { Error: false, Count: not null })
                .Select(e => new ScalingDecision(DateTimeOffset.UnixEpoch.AddTicks(e.Time / 100), e.PreviousCount, e.Count!.Value, e.Message, Restored: true))
                .OrderByDescending(d => d.Time)
                .Take(PolicyHandler.HistorySize)];
        }

        var variable = (await client.GetVariableAsync(PathFor(policy.Id), new QueryOptions { Namespace = @namespace }, call.Token).ConfigureAwait(false)).Value;
        return variable?.Items is { } items && items.TryGetValue(Item, out var json) ? Parse(json) : [];
    }

    public async Task RecordAsync(ScalingPolicy policy, IReadOnlyList<ScalingDecision> newestFirst, CancellationToken cancellationToken)
    {
        if (TaskGroup(policy) is not null) return;
        using var timeout = new CancellationTokenSource(CallTimeout, time);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var items = new Dictionary<string, string>(StringComparer.Ordinal) { [Item] = Format(newestFirst) };
        await client.PutVariableAsync(PathFor(policy.Id), items, options: new WriteOptions { Namespace = @namespace }, cancellationToken: call.Token).ConfigureAwait(false);
    }

    internal static string Format(IReadOnlyList<ScalingDecision> decisions)
        => new JsonArray([.. decisions.Select(d => (JsonNode)new JsonObject
        {
            ["time"] = d.Time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["from"] = d.From,
            ["to"] = d.To,
            ["reason"] = d.Reason,
        })]).ToJsonString();

    /// <summary>An unreadable entry (or a whole unreadable item) is skipped: history is for people, and a damaged
    /// variable must not stop the policy.</summary>
    internal static IReadOnlyList<ScalingDecision> Parse(string json)
    {
        JsonArray? array;
        try
        {
            array = JsonNode.Parse(json) as JsonArray;
        }
        catch (JsonException)
        {
            return [];
        }

        var decisions = new List<ScalingDecision>();
        foreach (var node in array ?? [])
        {
            if (node is not JsonObject o
                || o["time"]?.GetValueKind() != JsonValueKind.String
                || !DateTimeOffset.TryParse((string)o["time"]!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                || o["to"]?.GetValueKind() != JsonValueKind.Number)
                continue;
            long? from = o["from"]?.GetValueKind() == JsonValueKind.Number ? (long)o["from"]! : null;
            var reason = o["reason"]?.GetValueKind() == JsonValueKind.String ? (string)o["reason"]! : "";
            decisions.Add(new ScalingDecision(at, from, (long)o["to"]!, reason, Restored: true));
        }

        return [.. decisions.OrderByDescending(d => d.Time).Take(PolicyHandler.HistorySize)];
    }

    private static (string Job, string Group, string Namespace)? TaskGroup(ScalingPolicy policy)
    {
        var target = policy.Target.Config;
        if (policy.Type == PolicyTypes.Cluster || !target.TryGetValue("Job", out var job) || !target.TryGetValue("Group", out var group)) return null;
        return (job, group, target.TryGetValue("Namespace", out var ns) && ns.Length > 0 ? ns : "default");
    }
}
