namespace Prescient.Orchestration.Feedback;

/// <summary>Health of one forecaster as the feedback loop sees it (pinball loss at the shortest horizon, normalized by level).</summary>
public readonly record struct ModelHealthStatus(
    string Name,
    bool Active,
    bool Degraded,
    long Scored,
    double RecentPinball,
    double BaselinePinball);
