// Mutations.Active is one process-wide switch: zoo tests must not run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
