using Tour;

// A tour of every primitive in the library, each doing real work and printing what it measured.
Console.WriteLine($"Primitives tour on {Environment.ProcessorCount} processors, .NET {Environment.Version}");
StatisticsTour.Run();
CountersTour.Run();
await ClosuresTour.RunAsync();
await LockingTour.RunAsync();
Console.WriteLine();
Console.WriteLine("tour complete");
