using Microsoft.AspNetCore.Http;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator.State;

namespace NomadAutoscaler.Simulator.Api;

/// <summary>The query parameters every Nomad endpoint parses (<c>command/agent/http.go</c> <c>parse()</c>).</summary>
internal sealed record ApiQuery
{
    /// <summary>Nomad's cap on <c>wait</c> (and its default).</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(5);

    public string Namespace { get; init; } = "default";
    public ulong Index { get; init; }
    public TimeSpan Wait { get; init; } = MaxWait;
    public bool Stale { get; init; }
    public string Prefix { get; init; } = "";
    public string? Filter { get; init; }
    public bool Pretty { get; init; }
    public int PerPage { get; init; }
    public string NextToken { get; init; } = "";
    public bool Reverse { get; init; }

    /// <summary>Nomad's list paginator: items are keyed by ID; a page starts at <c>next_token</c> and the
    /// token of the following page is the key of its first item.</summary>
    public (List<T> Page, string? NextToken) Paginate<T>(IEnumerable<T> items, Func<T, string> key)
    {
        var ordered = Reverse ? items.OrderByDescending(key, StringComparer.Ordinal) : items.OrderBy(key, StringComparer.Ordinal);
        var from = NextToken.Length == 0
            ? ordered.ToList()
            : ordered.Where(i => Reverse ? string.CompareOrdinal(key(i), NextToken) <= 0 : string.CompareOrdinal(key(i), NextToken) >= 0).ToList();
        if (PerPage <= 0 || from.Count <= PerPage)
        {
            return (from, null);
        }

        return (from.Take(PerPage).ToList(), key(from[PerPage]));
    }

    public static ApiQuery Parse(IQueryCollection query, string region)
    {
        var ns = query["namespace"].ToString();
        ulong index = 0;
        if (query.TryGetValue("index", out var indexText) && !ulong.TryParse(indexText.ToString(), out index))
        {
            throw new NomadError(400, "Invalid index");
        }

        var wait = MaxWait;
        if (query.TryGetValue("wait", out var waitText))
        {
            if (!GoDuration.TryParse(waitText.ToString(), out wait))
            {
                throw new NomadError(400, "Invalid wait time");
            }

            if (wait <= TimeSpan.Zero || wait > MaxWait)
            {
                wait = MaxWait;
            }
        }

        var stale = false;
        if (query.TryGetValue("stale", out var staleText))
        {
            stale = staleText.ToString() switch
            {
                "" or "true" => true,
                "false" => false,
                _ => throw new NomadError(400, "Expect `true` or `false` for `stale` query string parameter"),
            };
        }

        if (query.TryGetValue("region", out var regionText) && regionText.ToString().Length > 0 && regionText.ToString() != region)
        {
            throw new NomadError(500, "No path to region");
        }

        var perPage = 0;
        if (query.TryGetValue("per_page", out var perPageText) && (!int.TryParse(perPageText.ToString(), out perPage) || perPage < 0))
        {
            throw new NomadError(400, "Invalid per_page value");
        }

        return new ApiQuery
        {
            PerPage = perPage,
            NextToken = query["next_token"].ToString(),
            Reverse = query["reverse"].ToString() == "true",
            Namespace = ns.Length == 0 ? "default" : ns,
            Index = index,
            Wait = wait,
            Stale = stale,
            Prefix = query["prefix"].ToString(),
            Filter = query.TryGetValue("filter", out var filter) && filter.ToString().Length > 0 ? filter.ToString() : null,
            Pretty = query.ContainsKey("pretty"),
        };
    }
}
