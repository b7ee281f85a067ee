namespace NomadAutoscaler.Hcl;

public enum HclSeverity
{
    Error,
    Warning,
}
