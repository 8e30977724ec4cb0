using System.Diagnostics;

namespace Passerelle.Bench;

/// <summary>
/// Warm latency of portal and API routes on a running server, one request at a time over a kept-alive connection.
/// The baseline, measured in the same run, is a static file served by the same host: the ratio shows the cost of
/// the page or query itself over the cost of the HTTP round trip.
/// Usage: Passerelle.Bench http [baseUrl] [requests] [path ...], against a server started with
/// --RateLimits:ApiPerMinute=1000000 (the API's limit per client address would otherwise answer 429).
/// </summary>
public static class HttpLatencyBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var baseUrl = args.Length > 0 ? args[0].TrimEnd('/') : "http://127.0.0.1:5080";
        var requests = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000;
        var paths = args.Length > 2 ? args[2..] : ["/projects", "/api/v1/projects", "/projects/biseps", "/api/v1/projects/biseps", "/"];
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl) };

        Console.WriteLine($"# HTTP latency, {requests} sequential requests per route after {requests / 10} warm-up requests; {baseUrl}");
        Console.WriteLine($"# {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        double[] baseline = [];
        try
        {
            baseline = await TimesAsync(client, BaselinePath, requests / 10, requests);
            Console.WriteLine($"{"route",-28} {"median ms",10} {"p95 ms",8} {"p99 ms",8} {"× baseline",11}");
            Print($"{BaselinePath} (baseline)", baseline);
            foreach (var path in paths)
            {
                Print(path, await TimesAsync(client, path, requests / 10, requests));
            }
        }
        catch (HttpRequestException e)
        {
            // A route that does not answer (or a server not started): one line, as for the other benchmarks.
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }

        return 0;

        void Print(string label, double[] times) => Console.WriteLine(
            $"{label,-28} {ScaleRun.Percentile(times, 0.5),10:F3} {ScaleRun.Percentile(times, 0.95),8:F3} {ScaleRun.Percentile(times, 0.99),8:F3} {ScaleRun.Percentile(times, 0.5) / ScaleRun.Percentile(baseline, 0.5),11:F1}");
    }

    /// <summary>
    /// The baseline a route is compared with in the same run: a static file served by the same host, the cost of the
    /// HTTP round trip alone.
    /// </summary>
    internal const string BaselinePath = "/css/site.css";

    /// <summary>
    /// One route's times in ms, sorted: <paramref name="warmUp"/> unmeasured requests, then <paramref name="measured"/>,
    /// one after the other over the client's kept-alive connection. Any answer but a success stops the benchmark. Also
    /// the `scale` benchmark's (its pages phase and --routes-only).
    /// </summary>
    internal static async Task<double[]> TimesAsync(HttpClient client, string path, int warmUp, int measured)
    {
        var times = new double[measured];
        for (var i = -warmUp; i < measured; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path);
            await response.Content.CopyToAsync(Stream.Null);
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{path} answered {(int)response.StatusCode}", null, response.StatusCode);
            }

            if (i >= 0)
            {
                times[i] = elapsed;
            }
        }

        Array.Sort(times);
        return times;
    }
}
