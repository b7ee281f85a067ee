using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Nomad;

namespace NomadAutoscaler.Core.Policy;

/// <summary>Policies from Nomad job specs (<c>group { scaling { ... } }</c>), followed with blocking queries on
/// <c>/v1/scaling/policies</c>. A stopped or deleted job's policy disappears from the list, which stops its handler.</summary>
internal sealed class NomadPolicySource(NomadClient client, PolicyDefaults defaults, TimeProvider time, ILoggerFactory loggers) : IPolicySource
{
    public static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger("nomad_policy_source");
    private readonly Dictionary<string, (ulong ModifyIndex, ScalingPolicy? Policy, string? Error)> _known = new(StringComparer.Ordinal);
    private bool _fetchFailed;

    public string Name => "nomad";

    public async IAsyncEnumerable<PolicySnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ulong index = 1;
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            var retry = _fetchFailed;
            if (retry) await Task.Delay(ErrorBackoff, time, cancellationToken);
            QueryResult<IReadOnlyList<ScalingPolicyListStub>> list;
            try
            {
                list = await client.ListScalingPoliciesAsync(
                    new QueryOptions { WaitIndex = retry ? 0 : index, WaitTime = client.Options.BlockQueryWaitTime }, cancellationToken: cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }
            catch (Exception ex)
            {
                _logger.Hclog(LogLevel.Error, "failed to call the Nomad list policies API", ("error", ex.Message));
                await Task.Delay(ErrorBackoff, time, cancellationToken);
                continue;
            }

            if (!first && !retry && list.Meta.LastIndex == index) continue;
            first = false;
            // An index that goes backwards means a restarted or different cluster: start over, as the Go client does.
            index = list.Meta.LastIndex < index ? 1 : list.Meta.LastIndex;

            var snapshot = await RefreshAsync(list.Value, cancellationToken);
            yield return snapshot;
        }
    }

    private async Task<PolicySnapshot> RefreshAsync(IReadOnlyList<ScalingPolicyListStub> stubs, CancellationToken cancellationToken)
    {
        var wanted = stubs
            .Where(s => s.Enabled && client.Options.IsNamespaceIncluded(s.Target?.GetValueOrDefault("Namespace")))
            .ToList();
        foreach (var gone in _known.Keys.Except(wanted.Select(s => s.ID)).ToList()) _known.Remove(gone);

        _fetchFailed = false;
        foreach (var stub in wanted)
        {
            if (_known.TryGetValue(stub.ID, out var known) && known.ModifyIndex >= stub.ModifyIndex) continue;
            try
            {
                var fetched = await client.GetScalingPolicyAsync(stub.ID, cancellationToken: cancellationToken);
                var policy = NomadPolicyParser.Parse(fetched.Value, defaults, out var errors);
                if (errors.Count > 0)
                {
                    var message = "policy validation failed: " + string.Join(", ", errors);
                    _logger.Hclog(LogLevel.Error, "latest version for policy is invalid", ("policy_id", stub.ID), ("error", message));
                    _known[stub.ID] = (stub.ModifyIndex, null, message);
                }
                else
                {
                    _known[stub.ID] = (stub.ModifyIndex, policy, null);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                // Not cached and retried after a pause (upstream waited for the policy's next change).
                _fetchFailed = true;
                _logger.Hclog(LogLevel.Error, "encountered an error getting the latest version for policy", ("policy_id", stub.ID), ("error", ex.Message));
            }
        }

        var policies = _known.Values.Where(k => k.Policy is not null).Select(k => k.Policy!).ToList();
        var errorsList = _known.Where(k => k.Value.Error is not null).Select(k => $"{k.Key}: {k.Value.Error}").ToList();
        return new PolicySnapshot(Name, policies, errorsList);
    }
}
