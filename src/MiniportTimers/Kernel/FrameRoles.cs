namespace MiniportTimers.Kernel;

/// <summary>
/// A miniport routine as the <see cref="ThreadFrame"/> holds it: implemented by the hosting layer's <c>HostedRoutine</c>,
/// the only type stored in <see cref="ThreadFrame.Routine"/>.
/// </summary>
internal interface IFrameRoutine
{
    /// <summary>The routine's name in reports and bug checks.</summary>
    string Name { get; }
}

/// <summary>
/// An adapter as the <see cref="ThreadFrame"/> holds it: implemented by the hosting layer's <c>HostedAdapter</c>, the
/// only type stored in <see cref="ThreadFrame.Adapter"/>.
/// </summary>
internal interface IFrameAdapter
{
    /// <summary>The adapter's name on its host.</summary>
    string Name { get; }
}

/// <summary>
/// A native driver as the <see cref="ThreadFrame"/> holds it: implemented by the native bridge's <c>NativeDriver</c>,
/// the only type stored in <see cref="ThreadFrame.Driver"/>.
/// </summary>
internal interface IFrameDriver
{
    /// <summary>Tells the driver's shim to unwind its C frames to the trampoline the host called it through (a DDI recorded a bug check).</summary>
    void UnwindToTrampoline();
}
