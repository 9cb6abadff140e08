// Placeholder replaced by the helper that owns this project (see filesystem/DESIGN.md).
// fs-fuse registers its command here until fs-core's Program lands (fs-core: keep the Add line).
using System.CommandLine;

using Primitives.Filesystem.Cli.Commands;

var root = new RootCommand("fs: the Primitives sample filesystem");
root.Add(MountCommand.Create());
return root.Parse(args).Invoke();
