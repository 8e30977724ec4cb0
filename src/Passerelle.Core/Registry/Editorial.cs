namespace Passerelle.Core.Registry;

/// <summary>Editorial attributes (no source: a programme's kind, a project's programme) set inside a write session.</summary>
public static class Editorial
{
    /// <summary>
    /// Sets the attribute only when the wanted value differs, so that the context, and so the history, sees only real
    /// changes (assigning an equal list or text would still mark the property modified). True when it changed.
    /// </summary>
    public static bool Assign<T>(T current, T wanted, Action<T> set)
    {
        if (EqualityComparer<T>.Default.Equals(current, wanted))
        {
            return false;
        }

        set(wanted);
        return true;
    }
}
