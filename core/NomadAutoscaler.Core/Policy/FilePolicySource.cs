using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Logging;
using NomadAutoscaler.Hcl;

namespace NomadAutoscaler.Core.Policy;

/// <summary>
/// Policies from the <c>*.hcl</c>/<c>*.json</c> files directly inside <c>policy.dir</c>. Beyond upstream, the directory
/// is watched: an edit, addition or removal yields a new snapshot after a short debounce, and <see cref="Reload()"/>
/// (SIGHUP) re-reads everything. A broken file or invalid policy is logged with its diagnostics and left out; every
/// other policy keeps running.
/// </summary>
public sealed class FilePolicySource : IPolicySource, IDisposable
{
    /// <summary>Editors write a file in several steps; changes are collected this long before the directory is re-read.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(500);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _debounce;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Lock _lock = new();
    private string _directory;
    private FilePolicyDefaults _defaults;
    private FileSystemWatcher? _watcher;
    private string? _watchedDirectory;
    private ITimer? _debounceTimer;
    private bool _disposed;

    public FilePolicySource(string directory, FilePolicyDefaults defaults, ILoggerFactory loggers, TimeProvider? time = null, TimeSpan? debounce = null)
    {
        _directory = directory;
        _defaults = defaults;
        _logger = loggers.CreateLogger("file_policy_source");
        _time = time ?? TimeProvider.System;
        _debounce = debounce ?? DefaultDebounce;
    }

    public string Name => "file";

    /// <summary>The directory being read.</summary>
    public string Directory
    {
        get
        {
            lock (_lock) return _directory;
        }
    }

    /// <summary>Re-reads every file now (SIGHUP, <c>/v1/agent/reload</c>).</summary>
    public void Reload() => _changes.Writer.TryWrite(true);

    /// <summary>Re-reads with a reloaded agent configuration (a new directory or defaults).</summary>
    public void Reload(string directory, FilePolicyDefaults defaults)
    {
        lock (_lock)
        {
            _directory = directory;
            _defaults = defaults;
        }

        Reload();
    }

    public async IAsyncEnumerable<PolicySnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        EnsureWatcher();
        yield return ReadSnapshot();
        while (await _changes.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_changes.Reader.TryRead(out _))
            {
            }

            EnsureWatcher();
            yield return ReadSnapshot();
        }
    }

    /// <summary>Reads the directory once, logging every problem, and returns the valid, enabled policies.</summary>
    public PolicySnapshot ReadSnapshot()
    {
        string directory;
        FilePolicyDefaults defaults;
        lock (_lock)
        {
            directory = _directory;
            defaults = _defaults;
        }

        var policies = new List<ScalingPolicy>();
        var errors = new List<string>();
        IReadOnlyList<string> files;
        try
        {
            files = [.. System.IO.Directory.EnumerateFiles(directory).Where(ConfigLoader.IsConfigFile).Order(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var message = $"failed to read policy directory {directory}: {ex.Message}";
            _logger.Hclog(LogLevel.Error, "failed to read policy directory", ("dir", directory), ("error", ex.Message));
            return new PolicySnapshot(Name, [], [message]);
        }

        foreach (var path in files)
        {
            var file = FilePolicyDecoder.DecodeFile(path, defaults);
            if (file.Broken)
            {
                errors.Add($"failed to decode file {path}: {Messages(file.FileDiagnostics)}");
                _logger.Hclog(LogLevel.Error, "failed to decode file", ("file", path), ("error", Render(file.FileDiagnostics)));
                continue;
            }

            if (file.FileDiagnostics.Count > 0)
            {
                // Problems outside any scaling block (an unknown top-level key) do not spoil the policies in the file.
                errors.Add($"failed to decode file {path}: {Messages(file.FileDiagnostics)}");
                _logger.Hclog(LogLevel.Error, "failed to decode file", ("file", path), ("error", Render(file.FileDiagnostics)));
            }

            foreach (var result in file.Policies)
            {
                if (result.Policy is null)
                {
                    errors.Add($"failed to validate file {path}: policy \"{result.Name}\": {Messages(result.Diagnostics)}");
                    _logger.Hclog(LogLevel.Error, "failed to validate policy", ("file", path), ("policy", result.Name), ("error", Render(result.Diagnostics)));
                    continue;
                }

                if (!result.Policy.Enabled)
                {
                    // Upstream only logs this at debug, which leaves operators wondering why a policy never runs.
                    _logger.Hclog(LogLevel.Information, "policy is disabled", ("file", path), ("policy", result.Name), ("policy_id", result.Policy.Id));
                    continue;
                }

                policies.Add(result.Policy);
            }
        }

        _logger.Hclog(LogLevel.Debug, "read policy directory", ("dir", directory), ("files", files.Count), ("policies", policies.Count), ("errors", errors.Count));
        return new PolicySnapshot(Name, policies, errors);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _watcher?.Dispose();
            _watcher = null;
            _debounceTimer?.Dispose();
            _debounceTimer = null;
        }

        _changes.Writer.TryComplete();
    }

    private static string Messages(IEnumerable<HclDiagnostic> diagnostics) =>
        string.Join("; ", diagnostics.Where(d => d.Severity == HclSeverity.Error).Select(d => d.Message));

    private static string Render(IEnumerable<HclDiagnostic> diagnostics) =>
        string.Join("\n", diagnostics.Where(d => d.Severity == HclSeverity.Error).Select(d => d.ToString()));

    /// <summary>Starts (or moves) the watcher; a missing directory is retried on the next read.</summary>
    private void EnsureWatcher()
    {
        lock (_lock)
        {
            if (_disposed || (_watcher is not null && _watchedDirectory == _directory)) return;
            _watcher?.Dispose();
            _watcher = null;
            if (!System.IO.Directory.Exists(_directory)) return;
            try
            {
                var watcher = new FileSystemWatcher(_directory)
                {
                    IncludeSubdirectories = false,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Created += OnFileEvent;
                watcher.Changed += OnFileEvent;
                watcher.Deleted += OnFileEvent;
                watcher.Renamed += OnRenamed;
                watcher.Error += (_, e) =>
                {
                    // An overflowed event buffer means changes were lost: re-read everything.
                    _logger.Hclog(LogLevel.Warning, "policy directory watcher error, re-reading", ("error", e.GetException().Message));
                    ArmDebounce();
                };
                watcher.EnableRaisingEvents = true;
                _watcher = watcher;
                _watchedDirectory = _directory;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
            {
                _logger.Hclog(LogLevel.Warning, "cannot watch policy directory; changes need a reload", ("dir", _directory), ("error", ex.Message));
            }
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (ConfigLoader.IsConfigFile(e.FullPath)) ArmDebounce();
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (ConfigLoader.IsConfigFile(e.FullPath) || ConfigLoader.IsConfigFile(e.OldFullPath)) ArmDebounce();
    }

    private void ArmDebounce()
    {
        lock (_lock)
        {
            if (_disposed) return;
            if (_debounceTimer is null) _debounceTimer = _time.CreateTimer(_ => Reload(), null, _debounce, Timeout.InfiniteTimeSpan);
            else _debounceTimer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }
}
