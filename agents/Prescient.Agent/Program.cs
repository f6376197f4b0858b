return await Prescient.Agent.AgentProgram.RunAsync(args);
