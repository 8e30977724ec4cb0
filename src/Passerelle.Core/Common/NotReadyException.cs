namespace Passerelle.Core.Common;

/// <summary>
/// A request needed something that is still being prepared in the background (an index being built): not a fault,
/// the caller should try again shortly. The web host answers 503 with <c>Retry-After</c> and <see cref="ErrorCode"/>.
/// </summary>
public class NotReadyException(string component, string errorCode, string message) : Exception(message)
{
    /// <summary>The <see cref="ServiceStatus"/> component that is not ready.</summary>
    public string Component { get; } = component;

    /// <summary>The API's stable error code for this case (e.g. <c>search_not_ready</c>).</summary>
    public string ErrorCode { get; } = errorCode;
}
