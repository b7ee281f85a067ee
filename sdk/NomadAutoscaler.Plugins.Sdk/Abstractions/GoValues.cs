namespace NomadAutoscaler.Plugins.Sdk;

/// <summary>Parsing of scalar spellings that the Go agent and Go plugins accept, so configs behave the same under both.</summary>
public static class GoValues
{
    /// <summary>Parses a boolean as Go's <c>strconv.ParseBool</c>: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }
}
