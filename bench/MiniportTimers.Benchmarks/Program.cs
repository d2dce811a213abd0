using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MiniportTimers.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(MiniportTimers.Benchmarks.ArmCancelBenchmarks).Assembly).Run(args);
