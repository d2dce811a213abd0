namespace MiniportTimers.Tests.Native;

/// <summary>
/// A fact that builds and runs C drivers: needs Linux on x64 with gcc and make on the PATH (every machine here has them;
/// the README names them). Reported as Skipped elsewhere, never as Passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NativeFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the C toolchain or the platform is missing.</summary>
    public NativeFactAttribute()
    {
        if (NativeBuild.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
