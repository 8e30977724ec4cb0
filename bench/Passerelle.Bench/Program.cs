// Benchmarks for Passerelle: `dotnet run -c Release --project bench/Passerelle.Bench -- <name>`.
// Each benchmark prints medians and the ratio to a baseline measured in the same run.
Console.WriteLine("usage: Passerelle.Bench <benchmark> [options]");
return 1;
