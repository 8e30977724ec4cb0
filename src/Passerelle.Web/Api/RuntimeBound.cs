namespace Passerelle.Web.Api;

/// <summary>
/// Endpoints left to ASP.NET Core's runtime factory instead of the request delegate generator (ADR 36). A handler passed
/// through <see cref="Handler"/> is a method's result, which the generator cannot see: its warning (RDG002) is
/// suppressed at each call, so that an endpoint the generator skips anywhere else fails the build. Used where the
/// generated code is not the runtime's: a lambda in a generic method (generated code that does not compile), a
/// MapFallback with a pattern (the generator adds the pattern-less overload's :nonfile constraint, so an address with
/// a dot would miss the API's fallback), and [AsParameters] records of nullable arrays (documented as required in
/// OpenAPI).
/// </summary>
public static class RuntimeBound
{
    public static Delegate Handler(Delegate handler) => handler;
}
