namespace Prescient.Agent.Session;

/// <summary>What the agent says about itself in Hello besides capacity.</summary>
/// <param name="NodeName">Node name, unique in the cluster.</param>
/// <param name="NativeLibrary">"native" or "managed-fallback".</param>
public sealed record AgentIdentity(string NodeName, string NativeLibrary);
