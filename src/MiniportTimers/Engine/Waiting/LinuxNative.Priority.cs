using System.Runtime.InteropServices;

namespace MiniportTimers.Engine.Waiting;

/// <content>The fair scheduler's nice value of one thread (setpriority(2)).</content>
internal static partial class LinuxNative
{
    /// <summary>setpriority(2)'s <c>which</c> for one process, which on Linux names one thread by its kernel id.</summary>
    public const int PRIO_PROCESS = 0;

    /// <summary>Sets the nice value (-20 to 19) of thread <paramref name="who"/> (its kernel id; 0: the calling thread).
    /// Raising it needs no privilege; lowering it below the thread's current value needs CAP_SYS_NICE.</summary>
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    public static partial int SetPriority(int which, int who, int prio);

    /// <summary>The nice value of thread <paramref name="who"/>; -1 is a valid value, so an error shows only in errno
    /// (Marshal.GetLastPInvokeError: the stub clears it before the call).</summary>
    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    public static partial int GetPriority(int which, int who);
}
