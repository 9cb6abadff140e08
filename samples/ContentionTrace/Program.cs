using ContentionTrace;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

if (options.Workload)
{
    return Workload.Run(options);
}

var report = options.Pid is int pid
    ? await Tracer.AttachAsync(pid, options)
    : await Tracer.RunWorkloadAsync(options);
Console.WriteLine(options.Json ? report.ToJson() : report.ToText());
return 0;
