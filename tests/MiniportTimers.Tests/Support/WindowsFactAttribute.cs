namespace MiniportTimers.Tests.Support;

/// <summary>A fact that needs Windows (waitable timers): reported as Skipped elsewhere, never as Passed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WindowsFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the process does not run on Windows.</summary>
    public WindowsFactAttribute()
    {
        if (!OperatingSystem.IsWindows())
        {
            Skip = "needs Windows (waitable timers)";
        }
    }
}
