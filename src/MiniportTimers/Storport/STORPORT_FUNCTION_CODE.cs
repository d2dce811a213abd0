namespace MiniportTimers.Storport;

/// <summary>The function codes of StorPortExtendedFunction that the timer routines wrap (storport.h values; semantics §0.4).</summary>
internal enum STORPORT_FUNCTION_CODE
{
    /// <summary>0: the first code.</summary>
    ExtFunctionAllocatePool = 0,

    /// <summary>32 (0x20): StorPortInitializeTimer.</summary>
    ExtFunctionInitializeTimer = 32,

    /// <summary>33 (0x21): StorPortRequestTimer.</summary>
    ExtFunctionRequestTimer = 33,

    /// <summary>34 (0x22): StorPortFreeTimer.</summary>
    ExtFunctionFreeTimer = 34,
}
