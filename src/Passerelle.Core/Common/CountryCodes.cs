namespace Passerelle.Core.Common;

/// <summary>
/// The country codes the registry accepts: ISO 3166-1 alpha-2, as Eurostat writes them (EL for Greece, UK for the
/// United Kingdom; XK for Kosovo, which Eurostat uses pending an ISO code). GR and GB are refused with a hint, so
/// that one country never appears under two codes in filters and exports.
/// </summary>
public static class CountryCodes
{
    private static readonly HashSet<string> Codes = new(StringComparer.Ordinal)
    {
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB",
        "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
        "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX",
        "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
        "FM", "FO", "FR", "GA", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GS", "GT", "GU",
        "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT",
        "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
        "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM",
        "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG",
        "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR",
        "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI",
        "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH",
        "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA",
        "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
        "EL", "UK", "XK",
    };

    /// <summary>Every accepted code.</summary>
    public static IEnumerable<string> All => Codes;

    /// <summary>Whether <paramref name="code"/> is an accepted country code (upper case).</summary>
    public static bool IsValid(string? code) => code is not null && Codes.Contains(code);

    /// <summary>Why <paramref name="code"/> is not an accepted country code, or null when it is.</summary>
    public static string? Problem(string code) => code switch
    {
        _ when IsValid(code) => null,
        "GR" => "'GR' is written EL in the registry (Eurostat's code for Greece)",
        "GB" => "'GB' is written UK in the registry (Eurostat's code for the United Kingdom)",
        _ => $"'{(code.Length <= 40 ? code : code[..40] + "…")}' is not a country code (ISO 3166-1 alpha-2, EL and UK as Eurostat writes them)",
    };
}
