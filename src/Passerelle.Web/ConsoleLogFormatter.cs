using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Passerelle.Web;

public sealed class ConsoleLogFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Write exceptions with their stack traces (<c>Logging:StackTraces</c>, or <c>--verbose</c>).</summary>
    public bool StackTraces { get; set; }
}

/// <summary>
/// The console log as ASP.NET Core's simple formatter writes it ("info: Category[id]" and the message, indented), except
/// that an exception is one line, "Type: message" with its causes, unless <see cref="ConsoleLogFormatterOptions.StackTraces"/>:
/// a start that fails (port in use, database unreachable) then reads as a few lines, not a hundred lines of frames
/// repeating the process's own one-line <c>error:</c>.
/// </summary>
public sealed partial class ConsoleLogFormatter(IOptionsMonitor<ConsoleLogFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "passerelle";
    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var exception = logEntry.Exception;
        if (string.IsNullOrEmpty(message) && exception is null)
        {
            return;
        }

        var settings = options.CurrentValue;
        if (settings.TimestampFormat is { } format)
        {
            var now = settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            textWriter.Write(now.ToString(format, System.Globalization.CultureInfo.InvariantCulture));
        }

        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        if (!string.IsNullOrEmpty(message))
        {
            // Some messages embed an exception's ToString() (EF Core's "An exception occurred while iterating over the
            // results of a query ..."): its frames go too.
            WriteIndented(textWriter, settings.StackTraces ? message : WithoutStackFrames(message));
        }

        if (exception is not null)
        {
            WriteIndented(textWriter, settings.StackTraces ? exception.ToString() : OneLine(exception));
        }
    }

    /// <summary>"IOException: Failed to bind ... ---> AddressInUseException: Address already in use".</summary>
    public static string OneLine(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null && parts.Count < 8; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }

        return string.Join(" ---> ", parts);
    }

    /// <summary>The text without the lines of a .NET stack trace ("   at Type.Method(...)", "--- End of ... ---").</summary>
    public static string WithoutStackFrames(string text) => string.Join('\n', text.ReplaceLineEndings("\n").Split('\n')
        .Where(line => !StackFrame().IsMatch(line) && !line.TrimStart().StartsWith("--- End of ", StringComparison.Ordinal)));

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s+at \S+\(")]
    private static partial System.Text.RegularExpressions.Regex StackFrame();

    private static void WriteIndented(TextWriter writer, string text)
    {
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
        {
            writer.Write(Indent);
            writer.WriteLine(line);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
