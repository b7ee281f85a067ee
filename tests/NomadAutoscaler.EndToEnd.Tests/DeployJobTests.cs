using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NomadAutoscaler.Hcl;
using NomadAutoscaler.Simulator;

namespace NomadAutoscaler.EndToEnd.Tests;

/// <summary>
/// deploy/nomad/nomad-autoscaler.nomad.hcl and the Nomad Pack under deploy/packs/nomad_autoscaler: each parses with the
/// project's HCL parser as a jobspec, carries what docs/deploy.md promises (checksum, identity, health check, HA,
/// credentials only from a Nomad Variable), and, converted to the API's JSON job, is registered in the simulator where
/// its two allocations start. The pack is rendered by tests/infra/pack-render (Go's text/template with nomad-pack's
/// helpers), because nomad-pack itself cannot be installed here.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed partial class DeployJobTests : IDisposable
{
    private const string Checksum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static readonly string Deploy = Path.Combine(AgentProcess.RepoRoot, "deploy");
    private readonly string _dir = Directory.CreateTempSubdirectory("e2e-deploy-").FullName;

    private static readonly string JobspecPath = Path.Combine(Deploy, "nomad", "nomad-autoscaler.nomad.hcl");

    [Fact]
    public async Task The_jobspec_parses_and_its_two_agents_start_in_the_simulator()
    {
        var job = JobspecJob();
        AssertDeployable(job, await File.ReadAllTextAsync(JobspecPath));
        await AssertAllocationsStartAsync(job);
    }

    /// <summary>The jobspec with its variables' defaults and <c>-var archive_sha256=…</c>.</summary>
    private static ParsedJob JobspecJob()
    {
        var body = Parse(File.ReadAllText(JobspecPath), "nomad-autoscaler.nomad.hcl");
        var variables = Variables(body, new Dictionary<string, HclValue> { ["archive_sha256"] = HclValue.String(Checksum) });
        var context = new HclEvalContext();
        context.Variables["var"] = HclValue.Object(variables);
        return Job(body, context);
    }

    private static string Words(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task The_pack_renders_with_the_mission_variables_parses_and_its_two_agents_start_in_the_simulator()
    {
        var renderer = Path.Combine(AgentProcess.RepoRoot, "artifacts", "pack-render", "pack-render");
        if (!File.Exists(renderer))
        {
            Assert.False(Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1", $"pack renderer missing at {renderer}; run tests/infra/pack-render/build.sh");
            Console.WriteLine($"pack renderer not built ({renderer}); run tests/infra/pack-render/build.sh. Pack rendering not tested.");
            return;
        }

        var pack = Path.Combine(Deploy, "packs", "nomad_autoscaler");
        var rendered = await RenderAsync(renderer, pack, Path.Combine(pack, "examples", "mission.vars.hcl"));
        var body = Parse(rendered, "nomad_autoscaler.nomad");

        var job = Job(body, null);
        AssertDeployable(job, rendered);
        var agentConfig = Parse(ConsulTemplate(job.Templates["local/config/agent.hcl"]), "agent.hcl");
        Assert.Contains(agentConfig.Blocks, b => b.Type == "target" && b.Labels[0] == "os-nova");
        Assert.Contains(agentConfig.Blocks, b => b.Type == "apm" && b.Labels[0] == "nomad-apm");
        Assert.Contains(agentConfig.Blocks, b => b.Type == "strategy" && b.Labels[0] == "target-value");
        var policy = Parse(job.Templates["local/policies/worker_pool_policy.hcl"], "worker_pool_policy.hcl");
        Assert.Equal("worker_pool_policy", Assert.Single(policy.Blocks).Labels[0]);
        // The pack's mission and the jobspec carry the same pool policy (each must stand alone, so both spell it out).
        Assert.Equal(Words(JobspecJob().Templates["local/policies/worker_pool_policy.hcl"]), Words(job.Templates["local/policies/worker_pool_policy.hcl"]));
        await AssertAllocationsStartAsync(job);
    }

    [Fact]
    public async Task A_pack_variable_the_templates_do_not_declare_is_an_error_naming_it()
    {
        var renderer = Path.Combine(AgentProcess.RepoRoot, "artifacts", "pack-render", "pack-render");
        if (!File.Exists(renderer))
        {
            Assert.False(Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1", $"pack renderer missing at {renderer}; run tests/infra/pack-render/build.sh");
            return;
        }

        var pack = Path.Combine(_dir, "broken-pack");
        CopyDirectory(Path.Combine(Deploy, "packs", "nomad_autoscaler"), pack);
        var template = Path.Combine(pack, "templates", "nomad_autoscaler.nomad.tpl");
        await File.WriteAllTextAsync(template, (await File.ReadAllTextAsync(template)).Replace("var \"count\" .", "var \"cuont\" .", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RenderAsync(renderer, pack, null));
        Assert.Contains("variable \"cuont\" is not defined", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What docs/deploy.md says of the job, whichever way it was written.</summary>
    private static void AssertDeployable(ParsedJob job, string text)
    {
        Assert.Equal("nomad-autoscaler", job.Id);
        Assert.Equal(2, job.GroupCount);
        Assert.Equal("exec", job.TaskDriver);
        Assert.Equal("sha256:" + Checksum, job.Checksum);
        Assert.True(job.IdentityEnv, "the task needs identity { env = true } for NOMAD_TOKEN");
        Assert.Equal("/v1/health", job.HealthPath);
        Assert.Equal("SIGTERM", job.KillSignal);
        Assert.Equal("30s", job.KillTimeout);

        var config = job.Templates["local/config/agent.hcl"];
        Assert.Contains("address = \"unix://{{ env \"NOMAD_SECRETS_DIR\" }}/api.sock\"", config, StringComparison.Ordinal);
        var agentConfig = Parse(ConsulTemplate(config), "agent.hcl");
        var ha = Assert.Single(agentConfig.Blocks, b => b.Type == "high_availability");
        Assert.True(ha.Body.JustAttributes(new HclDiagnostics())["enabled"].Expression.Evaluate().AsBool());

        // OpenStack secrets come only from the Nomad Variable, into the task's environment.
        var credentials = Assert.Single(job.Templates, t => t.Value.Contains("nomadVar", StringComparison.Ordinal));
        Assert.StartsWith("secrets/", credentials.Key, StringComparison.Ordinal);
        Assert.Contains(credentials.Key, job.EnvTemplates);
        foreach (Match assignment in SecretAssignment().Matches(text))
            Assert.StartsWith("{{", assignment.Groups[1].Value, StringComparison.Ordinal);
    }

    private async Task AssertAllocationsStartAsync(ParsedJob job)
    {
        await using var simulator = new NomadSimulator();
        var options = new SimulatorOptions { Port = 0, AllocStartDelay = TimeSpan.FromMilliseconds(100) };
        for (var i = 1; i <= 2; i++) options.Nodes.Add(new SimulatorNodeSpec { Name = $"server-{i}", Cpu = 4000, MemoryMB = 8192 });
        var address = await simulator.StartAsync(options);
        using var http = new HttpClient { BaseAddress = address };
        using var register = await http.PostAsJsonAsync("/v1/jobs", job.ApiJson());
        Assert.True(register.IsSuccessStatusCode, await register.Content.ReadAsStringAsync());

        var clock = Stopwatch.StartNew();
        JsonArray allocations;
        do
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) Assert.Fail($"allocations did not start: {await http.GetStringAsync($"/v1/job/{job.Id}/allocations")}");
            await Task.Delay(100);
            allocations = JsonNode.Parse(await http.GetStringAsync($"/v1/job/{job.Id}/allocations"))!.AsArray();
        }
        while (allocations.Count(a => a!["ClientStatus"]!.GetValue<string>() == "running") < 2);
        Assert.Equal(2, allocations.Count);
    }

    private async Task<string> RenderAsync(string renderer, string pack, string? varFile)
    {
        var variables = Variables(Parse(await File.ReadAllTextAsync(Path.Combine(pack, "variables.hcl")), "variables.hcl"), Overrides(varFile));
        var metadata = Parse(await File.ReadAllTextAsync(Path.Combine(pack, "metadata.hcl")), "metadata.hcl");
        var meta = new JsonObject();
        foreach (var block in metadata.Blocks)
            foreach (var (name, attribute) in block.Body.JustAttributes(new HclDiagnostics()))
                meta[$"{block.Type}.{name}"] = attribute.Expression.Evaluate().AsString();
        var contextFile = Path.Combine(_dir, "context.json");
        var vars = new JsonObject();
        foreach (var (name, value) in variables) vars[name] = JsonNode.Parse(value.ToJson());
        await File.WriteAllTextAsync(contextFile, new JsonObject { ["vars"] = vars, ["meta"] = meta }.ToJsonString());

        var outDir = Path.Combine(_dir, "rendered");
        var info = new ProcessStartInfo(renderer) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-pack", pack, "-context", contextFile, "-out", outDir }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException(await stderr);
        Assert.Equal(Path.Combine(outDir, "nomad_autoscaler.nomad"), stdout.Trim());
        return await File.ReadAllTextAsync(Path.Combine(outDir, "nomad_autoscaler.nomad"));
    }

    private static Dictionary<string, HclValue> Overrides(string? varFile)
    {
        var overrides = new Dictionary<string, HclValue>(StringComparer.Ordinal) { ["archive_sha256"] = HclValue.String(Checksum) };
        if (varFile is null) return overrides;
        var diagnostics = new HclDiagnostics();
        foreach (var (name, attribute) in Parse(File.ReadAllText(varFile), Path.GetFileName(varFile)).Body.JustAttributes(diagnostics))
            overrides[name] = attribute.Evaluate(null, diagnostics);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.Select(d => d.Message)));
        return overrides;
    }

    /// <summary>Each <c>variable</c> block's default, replaced by <paramref name="overrides"/>; an override of an
    /// undeclared variable or a variable left without a value fails, as nomad and nomad-pack refuse them.</summary>
    private static Dictionary<string, HclValue> Variables(ParsedBody body, IReadOnlyDictionary<string, HclValue> overrides)
    {
        var values = new Dictionary<string, HclValue>(StringComparer.Ordinal);
        foreach (var block in body.Blocks.Where(b => b.Type == "variable"))
        {
            var attributes = block.Body.JustAttributes(new HclDiagnostics());
            var name = block.Labels[0];
            if (overrides.TryGetValue(name, out var value)) values[name] = value;
            else if (attributes.TryGetValue("default", out var fallback)) values[name] = fallback.Expression.Evaluate();
            else Assert.Fail($"variable \"{name}\" has no default and no value");
        }

        Assert.Empty(overrides.Keys.Except(values.Keys));
        return values;
    }

    /// <summary>The <c>{{ env "X" }}</c> calls consul-template replaces, with values a task would have.</summary>
    private static string ConsulTemplate(string data) => EnvCall().Replace(data, m => m.Groups[1].Value switch
    {
        "NOMAD_PORT_http" => "25000",
        var name => $"/alloc/{name}",
    });

    private static ParsedBody Parse(string text, string fileName)
    {
        var file = HclParser.Parse(text, fileName);
        Assert.False(file.HasErrors, string.Join("\n", file.Diagnostics.Select(d => d.Message)));
        var diagnostics = new HclDiagnostics();
        var blocks = new List<HclBlock>();
        CollectBlocks(file.Body, diagnostics, blocks);
        return new ParsedBody(file.Body, blocks);
    }

    /// <summary>The top-level blocks of a body, whatever their type (HCL needs a schema to name them).</summary>
    private static void CollectBlocks(HclBody body, HclDiagnostics diagnostics, List<HclBlock> blocks)
    {
        var types = new[] { ("job", 1), ("variable", 1), ("pack", 0), ("app", 0), ("scaling", 1), ("nomad", 0), ("http", 0), ("high_availability", 0), ("telemetry", 0), ("apm", 1), ("target", 1), ("strategy", 1) };
        var content = body.PartialContent(new HclBodySchema(blocks: types.Select(t => new HclBlockSchema(t.Item1, [.. Enumerable.Repeat("name", t.Item2)]))), diagnostics, out _);
        blocks.AddRange(content.Blocks);
    }

    private static ParsedJob Job(ParsedBody file, HclEvalContext? context)
    {
        var diagnostics = new HclDiagnostics();
        string Str(HclBody body, string name) => body.JustAttributesOf(name, context, diagnostics)?.AsString() ?? "";
        var jobBlock = Assert.Single(file.Blocks, b => b.Type == "job");
        var job = jobBlock.Body.PartialContent(new HclBodySchema([new("type"), new("datacenters")], [new("group", "name")]), diagnostics, out _);
        var group = Assert.Single(job.Blocks);
        var groupContent = group.Body.PartialContent(new HclBodySchema([new("count")], [new("task", "name"), new("service")]), diagnostics, out _);
        var service = Assert.Single(groupContent.BlocksOfType("service"));
        var check = Assert.Single(service.Body.PartialContent(new HclBodySchema(blocks: [new("check")]), diagnostics, out _).Blocks);
        var task = Assert.Single(groupContent.BlocksOfType("task"));
        var taskContent = task.Body.PartialContent(
            new HclBodySchema([new("driver"), new("kill_signal"), new("kill_timeout")], [new("identity"), new("artifact"), new("template"), new("resources")]), diagnostics, out _);
        var artifact = Assert.Single(taskContent.BlocksOfType("artifact"));
        var artifactOptions = Assert.Single(artifact.Body.PartialContent(new HclBodySchema(blocks: [new("options")]), diagnostics, out _).Blocks);
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        var envTemplates = new List<string>();
        foreach (var template in taskContent.BlocksOfType("template"))
        {
            var destination = Str(template.Body, "destination");
            templates[destination] = Str(template.Body, "data");
            if (template.Body.JustAttributesOf("env", context, diagnostics) is { } env && env.AsBool()) envTemplates.Add(destination);
        }

        var resources = Assert.Single(taskContent.BlocksOfType("resources")).Body;
        var parsed = new ParsedJob(
            jobBlock.Labels[0],
            Str(jobBlock.Body, "type"),
            [.. job.GetAttribute("datacenters")!.Evaluate(context, diagnostics).AsTuple().Select(v => v.AsString())],
            group.Labels[0],
            groupContent.GetAttribute("count")!.Evaluate(context, diagnostics).TryGetInt32(out var count) ? count : -1,
            task.Labels[0],
            Str(task.Body, "driver"),
            Str(task.Body, "kill_signal"),
            Str(task.Body, "kill_timeout"),
            Assert.Single(taskContent.BlocksOfType("identity")).Body.JustAttributesOf("env", context, diagnostics)?.AsBool() == true,
            Str(artifactOptions.Body, "checksum"),
            Str(check.Body, "path"),
            templates,
            envTemplates,
            resources.JustAttributesOf("cpu", context, diagnostics)!.TryGetInt32(out var cpu) ? cpu : -1,
            resources.JustAttributesOf("memory", context, diagnostics)!.TryGetInt32(out var memory) ? memory : -1);
        Assert.False(diagnostics.HasErrors, string.Join("\n", diagnostics.Select(d => d.Message)));
        return parsed;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    [GeneratedRegex(@"\{\{ env ""([A-Za-z_]+)"" \}\}")]
    private static partial Regex EnvCall();

    /// <summary>Any assignment to a password or secret, in HCL or in an env template.</summary>
    [GeneratedRegex(@"(?:PASSWORD|SECRET|password|secret)\s*=\s*(\S+)")]
    private static partial Regex SecretAssignment();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record ParsedBody(HclBody Body, List<HclBlock> Blocks);

    private sealed record ParsedJob(
        string Id, string JobType, List<string> JobDatacenters, string Group, int GroupCount, string Task, string TaskDriver, string KillSignal, string KillTimeout,
        bool IdentityEnv, string Checksum, string HealthPath, Dictionary<string, string> Templates, List<string> EnvTemplates, int Cpu, int Memory)
    {
        /// <summary>The job in the API's JSON form, as <c>nomad job run</c> sends it; only the fields the simulator places by.</summary>
        public JsonObject ApiJson() => new()
        {
            ["Job"] = new JsonObject
            {
                ["ID"] = Id, ["Name"] = Id, ["Type"] = JobType, ["Datacenters"] = new JsonArray([.. JobDatacenters.Select(d => (JsonNode)d)]),
                ["TaskGroups"] = new JsonArray(new JsonObject
                {
                    ["Name"] = Group,
                    ["Count"] = GroupCount,
                    ["Tasks"] = new JsonArray(new JsonObject
                    {
                        ["Name"] = Task, ["Driver"] = TaskDriver, ["Resources"] = new JsonObject { ["CPU"] = Cpu, ["MemoryMB"] = Memory },
                    }),
                }),
            },
        };
    }
}

internal static class HclBodyExtensions
{
    /// <summary>The value of one attribute of a body whose other contents do not matter here; null when absent.</summary>
    public static HclValue? JustAttributesOf(this HclBody body, string name, HclEvalContext? context, HclDiagnostics diagnostics)
    {
        var content = body.PartialContent(new HclBodySchema([new HclAttributeSchema(name)]), diagnostics, out _);
        return content.GetAttribute(name)?.Evaluate(context, diagnostics);
    }
}
