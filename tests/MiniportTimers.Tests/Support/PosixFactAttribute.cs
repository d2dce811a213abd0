namespace MiniportTimers.Tests.Support;

/// <summary>A fact that needs POSIX signals (SIGINT, SIGTERM) and the kill command: reported as Skipped on Windows, never as Passed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PosixFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> on Windows.</summary>
    public PosixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "needs POSIX signals";
        }
    }
}
