namespace Nexus.Grains.Authorization;

/// <summary>
/// The outcome of a permission check. <see cref="NotFound"/> is returned when the caller may not even see the
/// target, so that an API answers 404 for it exactly as for an id that does not exist (existence does not leak);
/// <see cref="Forbidden"/> only when the caller can see the target but not do this to it.
/// </summary>
public enum AccessDecision
{
    Allowed,
    Forbidden,
    NotFound,
}
