using System.Text;
using System.Text.Json;

using Microsoft.Playwright;

namespace Passerelle.Web.Tests.Browser;

/// <summary>
/// axe-core (npm, package.json's devDependencies) run in the page against WCAG 2.1 A and AA. Playwright's evaluation
/// goes through the DevTools protocol, so the page's Content-Security-Policy, which forbids inline script, stays as
/// in production.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Source = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(file))
            {
                return File.ReadAllText(file);
            }
        }

        throw new InvalidOperationException("node_modules/axe-core/axe.min.js not found above " + AppContext.BaseDirectory + ": run `npm ci` at the repository's root.");
    });

    /// <summary>The serious and critical violations on the page as it is now, one line each (rule, impact, elements).</summary>
    public static async Task<List<string>> SeriousViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(Source.Value);
        }

        var result = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
              return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 200)) }));
            }
            """);
        var found = new List<string>();
        foreach (var violation in result.EnumerateArray())
        {
            var impact = violation.GetProperty("impact").GetString();
            if (impact is not ("serious" or "critical"))
            {
                continue;
            }

            var line = new StringBuilder($"{page.Url}: {violation.GetProperty("id").GetString()} ({impact}) {violation.GetProperty("help").GetString()}");
            foreach (var node in violation.GetProperty("nodes").EnumerateArray())
            {
                line.Append("\n    ").Append(node.GetString());
            }

            found.Add(line.ToString());
        }

        return found;
    }
}
