using Passerelle.Web.Tests.Infrastructure;

namespace Passerelle.Web.Tests.Accounts;

/// <summary>The tests' authenticator (Infrastructure/Totp.cs) computes the codes of the standard, as a phone does.</summary>
public sealed class TotpTests
{
    [Theory]
    // RFC 6238 appendix B, SHA-1, key "12345678901234567890" (base32 below): the eight-digit codes' last six digits.
    [InlineData(59, "287082")]
    [InlineData(1111111109, "081804")]
    [InlineData(1234567890, "005924")]
    [InlineData(2000000000, "279037")]
    public void Code_Rfc6238TestVectors_MatchTheStandard(long unixSeconds, string expected) =>
        Assert.Equal(expected, Totp.Code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Fact]
    public void Base32Decode_KeyAsIdentityShowsIt_IgnoresCaseAndSpaces() =>
        Assert.Equal("12345678901234567890"u8.ToArray(), Totp.Base32Decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"));
}
