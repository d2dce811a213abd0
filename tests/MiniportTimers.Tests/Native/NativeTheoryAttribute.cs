namespace MiniportTimers.Tests.Native;

/// <summary>A theory that builds and runs C drivers: skipped, never passed, where <see cref="NativeFactAttribute"/> is.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NativeTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the C toolchain or the platform is missing.</summary>
    public NativeTheoryAttribute()
    {
        if (NativeBuild.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
