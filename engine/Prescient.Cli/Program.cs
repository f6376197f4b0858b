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
        // A command line that does not parse (an unknown option, a value outside its choices) is bad input: exit code 2,
        // as every command uses for the input it checks itself, not 1 (which `lp solve` uses for a non-optimal status).
        var parsed = root.Parse(args);
        var code = await parsed.InvokeAsync().ConfigureAwait(false);
        return parsed.Errors.Count > 0 ? 2 : code;
    }
}
