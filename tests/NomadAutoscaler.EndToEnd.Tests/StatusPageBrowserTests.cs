using System.Globalization;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>The agent's status page at <c>/ui/</c> in a real headless Chromium: a scale-up of <c>agent -dev</c>
/// appears in the chart (the screenshot is kept under artifacts/ui/), and 1,000 policies stay readable.</summary>
[Trait("Category", "EndToEnd")]
public sealed class StatusPageBrowserTests(ITestOutputHelper output)
{
    private static string ScreenshotDirectory => Path.Combine(AgentProcess.RepoRoot, "artifacts", "ui");

    [Fact]
    public async Task The_dev_agent_page_shows_a_scale_up_in_the_chart_with_its_reason()
    {
        await using var browser = await HeadlessChromium.StartAsync(1280, 900, output.WriteLine);
        if (browser is null) return;
        await using var agent = AgentProcess.Start("agent", "-dev");
        await agent.WaitUntilAsync(async () => await HasPoliciesAsync(agent), "the first policies", TimeSpan.FromSeconds(120));

        await browser.NavigateAsync(new Uri(agent.Http, "ui/"));
        // The dev agent runs two policies (the web job and the node pool): select the job's, as an operator would.
        const string webRow = "[...document.querySelectorAll('#policies tbody tr[data-id]')].find(r => r.querySelector('td.name').textContent === 'web/web')";
        await browser.WaitUntilAsync($"{webRow} !== undefined", "the web/web policy in the table", TimeSpan.FromSeconds(30));
        await browser.EvaluateAsync($"{webRow}.querySelector('td.name').click()");
        await browser.WaitUntilAsync("document.getElementById('chart-title').textContent.startsWith('Decisions of web/web')",
            "the web/web chart", TimeSpan.FromSeconds(30));
        await browser.WaitUntilAsync("document.querySelectorAll('#chart circle.decision[data-direction=up]').length > 0",
            "a scale-up marker in the chart", TimeSpan.FromSeconds(90));

        var reason = (string?)await browser.EvaluateAsync("document.querySelector('#chart circle.decision[data-direction=up] title').textContent");
        Assert.Matches(@"scaled \d+ → \d+: scaling up because factor is", reason);
        // The scaling history under the chart lists the same action (it is what survives a restart).
        await browser.WaitUntilAsync("document.querySelectorAll('#history li[data-to]').length > 0", "the scaling history", TimeSpan.FromSeconds(30));
        Assert.Matches(@"\d+ → \d+: scaling (up|down) because factor is", (string?)await browser.EvaluateAsync("document.querySelector('#history li[data-to]').textContent"));
        Assert.Equal("nomad-target", (string?)await browser.EvaluateAsync(
            "[...document.querySelectorAll('#plugins tbody tr')].map(r => r.cells[1].textContent).find(n => n === 'nomad-target')"));
        Assert.Equal("web/web", (string?)await browser.EvaluateAsync("document.querySelector('#policies tbody tr.selected td.name').textContent"));
        // Nothing outside the agent was asked for: every resource the page loaded is on the agent's own address.
        var foreign = await browser.EvaluateAsync($"performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('{agent.Http.ToString().TrimEnd('/')}'))");
        Assert.Empty(foreign!.AsArray());

        Directory.CreateDirectory(ScreenshotDirectory);
        var png = await browser.ScreenshotAsync();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        await File.WriteAllBytesAsync(Path.Combine(ScreenshotDirectory, "status-page-dev.png"), png);
    }

    [Fact]
    public async Task A_thousand_policies_stay_readable_and_filterable()
    {
        await using var browser = await HeadlessChromium.StartAsync(1280, 900, output.WriteLine);
        if (browser is null) return;
        var dir = Directory.CreateTempSubdirectory("ui-policies-").FullName;
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var name = "batch-" + i.ToString("D4", CultureInfo.InvariantCulture);
                await File.WriteAllTextAsync(Path.Combine(dir, name + ".hcl"), $$"""
                    scaling "{{name}}" {
                      enabled = true
                      min     = 1
                      max     = 10
                      policy {
                        evaluation_interval = "1h"
                        check "cpu" {
                          source = "nomad-apm"
                          query  = "avg_cpu"
                          strategy "target-value" {
                            target = 70
                          }
                        }
                        target "nomad-target" {
                          Job   = "{{name}}"
                          Group = "g"
                        }
                      }
                    }
                    """);
            }

            await using var agent = AgentProcess.Start("agent", "-dev", "-policy-dir", dir);
            await agent.WaitUntilAsync(async () => await HasPoliciesAsync(agent), "the first policies", TimeSpan.FromSeconds(120));
            await browser.NavigateAsync(new Uri(agent.Http, "ui/"));
            await browser.WaitUntilAsync("document.querySelectorAll('#policies tbody tr[data-id]').length === 1001",
                "1,000 file policies and the dev policy in the table", TimeSpan.FromSeconds(90));

            // Readable: the table scrolls inside its own box, so the chart and plugins stay on the first screen; the
            // rows keep a legible size; long lists are found with the filter.
            var layout = (await browser.EvaluateAsync("""
                (() => {
                  const rect = s => document.querySelector(s).getBoundingClientRect();
                  const row = document.querySelector('#policies tbody tr[data-id]');
                  return {
                    scrollTop: rect('.scroll').top, scrollHeight: rect('.scroll').height, chartTop: rect('#chart').top,
                    viewport: innerHeight, rowHeight: row.getBoundingClientRect().height,
                    fontSize: parseFloat(getComputedStyle(row).fontSize), pageWidth: document.documentElement.scrollWidth,
                    count: document.getElementById('policy-count').textContent,
                  };
                })()
                """))!.AsObject();
            output.WriteLine(layout.ToJsonString());
            Assert.True((double)layout["chartTop"]! < (double)layout["viewport"]!, "the chart is pushed below the first screen: " + layout.ToJsonString());
            Assert.True((double)layout["scrollHeight"]! <= (double)layout["viewport"]! * 0.5, "the policy table does not scroll in its own box");
            Assert.InRange((double)layout["fontSize"]!, 12, 20);
            Assert.InRange((double)layout["rowHeight"]!, 16, 40);
            Assert.True((double)layout["pageWidth"]! <= 1280, "the page scrolls sideways");
            Assert.Equal("1001 policies", (string?)layout["count"]);
            Directory.CreateDirectory(ScreenshotDirectory);
            await File.WriteAllBytesAsync(Path.Combine(ScreenshotDirectory, "status-page-1000-policies.png"), await browser.ScreenshotAsync());

            await browser.EvaluateAsync("(() => { const f = document.getElementById('filter'); f.value = 'batch-0420'; f.dispatchEvent(new Event('input')); })()");
            await browser.WaitUntilAsync("document.querySelectorAll('#policies tbody tr[data-id]').length === 1", "the filter to leave one row", TimeSpan.FromSeconds(10));
            Assert.Equal("1 of 1001 policies", (string?)await browser.EvaluateAsync("document.getElementById('policy-count').textContent"));

        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<bool> HasPoliciesAsync(AgentProcess agent)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            var list = JsonNode.Parse(await http.GetStringAsync(new Uri(agent.Http, "v1/policies")))!;
            return list["policies"]!.AsArray().Count > 0;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException)
        {
            return false;
        }
    }
}
