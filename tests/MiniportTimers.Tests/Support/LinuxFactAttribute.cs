namespace MiniportTimers.Tests.Support;

/// <summary>A fact that needs Linux (timerfd, /proc): reported as Skipped elsewhere, never as Passed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the process does not run on Linux.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (timerfd and /proc)";
        }
    }
}
