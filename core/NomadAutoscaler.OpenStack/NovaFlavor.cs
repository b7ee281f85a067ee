namespace NomadAutoscaler.OpenStack;

/// <summary>A Nova flavor's size.</summary>
/// <param name="Id">Flavor ID.</param>
/// <param name="Name">Flavor name.</param>
/// <param name="Vcpus">Virtual CPUs.</param>
/// <param name="RamMB">RAM in MiB.</param>
public sealed record NovaFlavor(string Id, string Name, int Vcpus, long RamMB);
