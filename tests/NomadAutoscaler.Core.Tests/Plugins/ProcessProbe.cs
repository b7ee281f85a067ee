namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>Whether a PID still names a live process (a zombie waiting for its reaper counts as dead).</summary>
internal static class ProcessProbe
{
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }
}
