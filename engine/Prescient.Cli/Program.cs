using System.CommandLine;
using Prescient.Cli.Commands;

namespace Prescient.Cli;

/// <summary>The <c>prescient</c> command-line program: one subcommand per file under <c>Commands/</c>.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Prescient: predictive resource orchestration for HPC and bare-metal clusters.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(LpCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
