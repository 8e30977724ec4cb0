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
        var baseline = await MeasureAsync(client, "/css/site.css", requests);
        Console.WriteLine($"{"route",-28} {"median ms",10} {"p95 ms",8} {"p99 ms",8} {"× baseline",11}");
        Console.WriteLine($"{"/css/site.css (baseline)",-28} {baseline.Median,10:F3} {baseline.P95,8:F3} {baseline.P99,8:F3} {1,11:F1}");
        foreach (var path in paths)
        {
            var result = await MeasureAsync(client, path, requests);
            Console.WriteLine($"{path,-28} {result.Median,10:F3} {result.P95,8:F3} {result.P99,8:F3} {result.Median / baseline.Median,11:F1}");
        }

        return 0;
    }

    private static async Task<(double Median, double P95, double P99)> MeasureAsync(HttpClient client, string path, int requests)
    {
        for (var i = 0; i < requests / 10; i++)
        {
            using var warm = await client.GetAsync(path);
            warm.EnsureSuccessStatusCode();
            await warm.Content.ReadAsByteArrayAsync();
        }

        var times = new double[requests];
        for (var i = 0; i < requests; i++)
        {
            var start = Stopwatch.GetTimestamp();
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            response.EnsureSuccessStatusCode();
        }

        Array.Sort(times);
        return (times[requests / 2], times[(int)(requests * 0.95)], times[Math.Min(requests - 1, (int)(requests * 0.99))]);
    }
}
