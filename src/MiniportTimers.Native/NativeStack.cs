namespace MiniportTimers.Native;

/// <summary>The driver stack a native driver .so was built for.</summary>
public enum NativeStack
{
    /// <summary>Neither marker found: not built with this repository's storport.h or ndis.h.</summary>
    Unknown = 0,

    /// <summary>Built against native/include/storport.h.</summary>
    Storport = 1,

    /// <summary>Built against native/include/ndis.h.</summary>
    Ndis = 2,
}
