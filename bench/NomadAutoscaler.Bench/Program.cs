using System.Diagnostics;
using NomadAutoscaler.Bench;

BenchSettings settings;
try
{
    settings = BenchSettings.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync($"NomadAutoscaler.Bench: {ex.Message}\n{BenchSettings.Usage}");
    return 2;
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchSettings.Usage);
    return 0;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var token = cancel.Token;
var log = Console.Error;

BenchArtifacts artifacts;
try
{
    artifacts = await BenchArtifacts.PrepareAsync(settings, log, token);
}
catch (Exception ex) when (ex is InvalidOperationException or FileNotFoundException)
{
    await log.WriteLineAsync($"NomadAutoscaler.Bench: {ex.Message}");
    return 1;
}

var startedAt = DateTimeOffset.UtcNow;
var clock = Stopwatch.StartNew();
var loadBefore = MachineInfo.LoadAverage();

var aot = new RowResult(new BenchRow("our host → our noop-apm, Native AOT size-tuned (what Publish ships)", HostKind.CSharp, artifacts.AotDir, BenchArtifacts.NoopApm));
var jit = new RowResult(new BenchRow("our host → our noop-apm, JIT framework-dependent (`dotnet build`)", HostKind.CSharp, artifacts.JitDir, BenchArtifacts.NoopApm));
var inProcess = new RowResult(new BenchRow("our host, noop-apm in-process", HostKind.CSharp, artifacts.JitDir, BenchArtifacts.NoopApm, InProcess: true));
var rows = new List<RowResult> { aot, jit, inProcess };
RowResult? aotSpeed = null;
if (artifacts.AotSpeedDir is { } aotSpeedDir)
{
    aotSpeed = new RowResult(new BenchRow("our host → our noop-apm, Native AOT speed-tuned (candidate, not shipped)", HostKind.CSharp, aotSpeedDir, BenchArtifacts.NoopApm));
    rows.Insert(1, aotSpeed);
}

RowResult? goGo = null;
GoHostRunner? goRunner = null;
if (artifacts.GoBinDir is { } goBin)
{
    goRunner = new GoHostRunner(settings, Path.Combine(goBin, BenchArtifacts.GoHost));
    goGo = new RowResult(new BenchRow("Go host → Go noop-apm (go-plugin reference)", HostKind.Go, goBin, BenchArtifacts.GoNoopApm));
    rows.Add(goGo);
    rows.Add(new RowResult(new BenchRow("Go host → our noop-apm, Native AOT (cross)", HostKind.Go, artifacts.AotDir, BenchArtifacts.NoopApm)));
    rows.Add(new RowResult(new BenchRow("our host → Go noop-apm (cross)", HostKind.CSharp, goBin, BenchArtifacts.GoNoopApm)));
}

var csharp = new CSharpHostRunner(settings);

var launchSocketDir = Directory.CreateTempSubdirectory("nomad-autoscaler-bench-launch-").FullName;

async Task StartupAsync(RowResult result, bool record)
{
    var row = result.Row;
    if (row.Host == HostKind.Go)
    {
        var go = await goRunner!.StartupAsync(row, token);
        if (record) result.StartupMs.Add(go);
        return;
    }

    var configured = await CSharpHostRunner.StartupAsync(row, token);
    if (row.InProcess)
    {
        if (record) result.StartupMs.Add(configured);
        return;
    }

    var firstRpc = await CSharpHostRunner.FirstRpcAsync(row, launchSocketDir, token);
    if (!record) return;
    result.StartupMs.Add(firstRpc);
    result.ConfiguredMs.Add(configured);
}

// Start-up: rows interleaved round by round so that a load spike on the shared machine hits every row alike.
var handshakes = new List<(string Label, string Executable, List<double> Samples)>();
if (goGo is not null) handshakes.Add(("Go noop-apm", goGo.Row.PluginPath, []));
handshakes.Add(("our noop-apm Native AOT size-tuned (shipped)", aot.Row.PluginPath, []));
if (aotSpeed is not null) handshakes.Add(("our noop-apm Native AOT speed-tuned", aotSpeed.Row.PluginPath, []));
handshakes.Add(("our noop-apm JIT", jit.Row.PluginPath, []));
var socketDir = Directory.CreateTempSubdirectory("nomad-autoscaler-bench-").FullName;
try
{
    for (var round = 0; round <= settings.Startups; round++)
    {
        await log.WriteLineAsync(round == 0 ? "start-up: warm-up round" : $"start-up: round {round}/{settings.Startups}");
        foreach (var row in rows)
        {
            if (row.Errors.Count > 0) continue;
            try
            {
                await StartupAsync(row, record: round > 0);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
            {
                row.Errors.Add($"start-up: {ex.Message}");
            }
        }

        foreach (var (label, executable, samples) in handshakes)
        {
            try
            {
                var ms = await HandshakeProbe.MeasureAsync(executable, socketDir, token);
                if (round > 0) samples.Add(ms);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                await log.WriteLineAsync($"handshake probe of {label}: {ex.Message}");
            }
        }
    }
}
finally
{
    Directory.Delete(socketDir, recursive: true);
    Directory.Delete(launchSocketDir, recursive: true);
}

// Latency, throughput and RSS: one row after the other, alternating hosts.
foreach (var row in rows.OrderBy(r => r.Row.Host == HostKind.Go ? 0 : 1).ThenBy(r => r.Row.InProcess))
{
    await log.WriteLineAsync($"calls: {row.Row.Label}");
    try
    {
        if (row.Row.Host == HostKind.Go) await goRunner!.MeasureCallsAsync(row, token);
        else await csharp.MeasureCallsAsync(row, token);
    }
    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
    {
        row.Errors.Add($"calls: {ex.Message}");
    }
}

var report = new Report
{
    Settings = settings,
    Rows = rows,
    Handshakes = [.. handshakes.Select(h => (h.Label, h.Samples))],
    GoReference = goGo,
    Checked = aotSpeed is null ? [aot, jit] : [aot, aotSpeed, jit],
    StartedAt = startedAt,
    Duration = clock.Elapsed,
    LoadBefore = loadBefore,
    LoadAfter = MachineInfo.LoadAverage(),
    GoVersions = artifacts.GoVersions,
    GoProblem = artifacts.GoProblem,
};
var markdown = report.ToMarkdown();
Console.WriteLine(markdown);

if (settings.WriteDocs)
{
    var doc = Path.Combine(artifacts.RepoRoot, "docs", "performance.md");
    var existing = File.Exists(doc) ? await File.ReadAllTextAsync(doc, token) : null;
    await File.WriteAllTextAsync(doc, PerformanceDoc.Update(existing, markdown), token);
    await log.WriteLineAsync($"wrote {doc}");
}

return rows.Any(r => r.Errors.Count > 0) ? 1 : 0;
