namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>Waits for a condition that another thread or process makes true, failing after a timeout.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string? what = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {timeout}: {what ?? "(unnamed)"}");
            // A short poll: the conditions here are process exits and background continuations with no event to await.
            await Task.Delay(5);
        }
    }
}
