namespace MiniportTimers.Storport;

public static partial class StorPort
{
    /// <summary>
    /// Pauses the adapter for <paramref name="timeoutSeconds"/> seconds (nf-storport-storportpause): requests submitted
    /// meanwhile are held, not passed to HwStorStartIo, until the timeout expires (through a timer on the adapter's
    /// engine, so a virtual clock ends it too) or the miniport calls <see cref="StorPortResume"/>.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="timeoutSeconds">How long the pause lasts, in seconds; 0 ends it at the next dispatch.</param>
    /// <returns>TRUE if the adapter is paused; FALSE if the extension is unknown or the adapter is not started.</returns>
    /// <remarks>
    /// IRQL: any (miniports pause from their timer callback, which holds the StartIo lock). Thread-safe. Decisions the
    /// documentation leaves open: pauses do not nest; pausing a paused adapter sets the new timeout, counted from now,
    /// and one StorPortResume ends the pause. Held requests reach HwStorStartIo in submission order from the dispatcher,
    /// never from inside StorPortResume.
    /// </remarks>
    public static bool StorPortPause(object? hwDeviceExtension, uint timeoutSeconds)
    {
        if (AdapterRegistry.Find(hwDeviceExtension) is not { State: AdapterState.Started } adapter)
        {
            return false;
        }

        adapter.Pause.Pause(timeoutSeconds);
        return true;
    }

    /// <summary>
    /// Ends a pause begun with <see cref="StorPortPause"/> (nf-storport-storportresume); the held requests then go to
    /// HwStorStartIo in the order they came, from the dispatcher.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <returns>TRUE if the adapter is running (it was paused and resumes, or was not paused); FALSE if the extension is unknown or the adapter is not started.</returns>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    public static bool StorPortResume(object? hwDeviceExtension)
    {
        if (AdapterRegistry.Find(hwDeviceExtension) is not { State: AdapterState.Started } adapter)
        {
            return false;
        }

        adapter.Pause.Resume();
        return true;
    }
}
