using System.Text.Json.Nodes;

namespace NomadAutoscaler.OpenStack;

/// <summary>Glance (image v2): find images.</summary>
public sealed class GlanceClient
{
    private const string Service = "image";
    private readonly OpenStackSession _session;

    /// <summary>Creates the client.</summary>
    public GlanceClient(OpenStackSession session) => _session = session ?? throw new ArgumentNullException(nameof(session));

    /// <summary>The ID of the active image named <paramref name="name"/>; null when there is none.</summary>
    /// <exception cref="OpenStackApiException">Several active images carry the name (the message lists their IDs).</exception>
    public async Task<string?> FindImageIdByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var body = await _session.SendAsync(Service, HttpMethod.Get, "v2/images?status=active&limit=100&name=" + Uri.EscapeDataString(name), cancellationToken: cancellationToken).ConfigureAwait(false);
        var ids = Json.Items(body, "images").Where(i => Json.Str(i, "name") == name).Select(i => Json.Str(i, "id")).OfType<string>().ToList();
        return ids.Count switch
        {
            0 => null,
            1 => ids[0],
            _ => throw new OpenStackApiException($"image: {ids.Count} active images are named \"{name}\" ({string.Join(", ", ids)}); use image_id"),
        };
    }

    /// <summary>True when the image exists and is visible to the project.</summary>
    public async Task<bool> ImageExistsAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            JsonNode? body = await _session.SendAsync(Service, HttpMethod.Get, "v2/images/" + Uri.EscapeDataString(id), cancellationToken: cancellationToken).ConfigureAwait(false);
            return body is not null;
        }
        catch (OpenStackApiException ex) when (ex.IsNotFound)
        {
            return false;
        }
    }
}
