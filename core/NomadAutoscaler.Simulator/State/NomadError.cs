namespace NomadAutoscaler.Simulator.State;

/// <summary>An error Nomad would answer with: the HTTP status and the exact plain-text (or JSON) body.</summary>
internal sealed class NomadError : Exception
{
    public NomadError(int statusCode, string body, ulong? index = null, bool jsonBody = false)
        : base(body)
    {
        StatusCode = statusCode;
        Body = body;
        Index = index;
        JsonBody = jsonBody;
    }

    public NomadError()
    {
        Body = "";
    }

    public NomadError(string message)
        : base(message)
    {
        Body = message;
        StatusCode = 500;
    }

    public NomadError(string message, Exception innerException)
        : base(message, innerException)
    {
        Body = message;
        StatusCode = 500;
    }

    public int StatusCode { get; }

    public string Body { get; }

    /// <summary>The <c>X-Nomad-Index</c> to send with the error, when Nomad sends one.</summary>
    public ulong? Index { get; }

    /// <summary>True when the body is JSON (variable conflicts); Nomad still omits the JSON content type then.</summary>
    public bool JsonBody { get; }
}
