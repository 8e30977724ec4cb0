using Passerelle.Core.Data;

namespace Passerelle.Core.Accounts;

/// <summary>Appends audit entries. Each is saved at once, on its own: a failed sign-in is recorded even when nothing else is.</summary>
public sealed class AuditLog(PasserelleDbContext db, TimeProvider clock)
{
    public async Task RecordAsync(AuditKind kind, string? actor, int? userId = null, string? subject = null, string? detail = null,
        string? address = null, CancellationToken ct = default)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Kind = kind,
            Actor = Clip(actor, 256),
            UserId = userId,
            Subject = Clip(subject, 500),
            Detail = Clip(detail, 2000),
            Address = Clip(address, 64),
        });
        await db.SaveChangesAsync(ct);
    }

    private static string? Clip(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
