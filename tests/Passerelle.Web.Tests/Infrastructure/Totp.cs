using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Passerelle.Web.Tests.Infrastructure;

/// <summary>
/// The codes an authenticator app shows (RFC 6238: HMAC-SHA1 over 30-second steps, six digits), computed from the key
/// Identity stores (<c>UserManager.GetAuthenticatorKeyAsync</c>, base32), so tests sign in as a phone would.
/// </summary>
public static class Totp
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The code for <paramref name="time"/>. Identity checks codes against the system clock (DateTimeOffset.UtcNow),
    /// not the app's TimeProvider: pass <see cref="DateTimeOffset.UtcNow"/> even in a test that moved the app's clock.
    /// </summary>
    public static string Code(string base32Key, DateTimeOffset time)
    {
        var key = Base32Decode(base32Key);
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, time.ToUnixTimeSeconds() / (long)Step.TotalSeconds);
        var hash = HMACSHA1.HashData(key, counter);
        // RFC 4226 dynamic truncation: four bytes at the offset the last nibble gives, without the sign bit.
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32, as authenticator keys are written: case, spaces and padding ignored.</summary>
    public static byte[] Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            if (c is ' ' or '=' or '-')
            {
                continue;
            }

            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not a base32 character.");
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}
