// Benchmarks for Passerelle: `dotnet run -c Release --project bench/Passerelle.Bench -- <name> [options]`.
// Each benchmark prints medians and the ratio to a baseline measured in the same run.
using Passerelle.Bench;

return args.FirstOrDefault() switch
{
    "http" => await HttpLatencyBenchmark.RunAsync(args[1..]),
    "search" => SearchBenchmark.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("usage: Passerelle.Bench http [baseUrl] [requests] [path ...] | search [projects]");
    return 1;
}
