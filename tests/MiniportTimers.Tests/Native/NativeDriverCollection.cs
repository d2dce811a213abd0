namespace MiniportTimers.Tests.Native;

/// <summary>
/// The tests that load our C drivers run one class at a time: a .so is loaded once per process, so two hosts running the
/// same driver share its static storage (as two instances of a driver share one loaded image on Windows), and a second
/// DriverEntry resets what the first host's adapters still use. Every test class that loads a driver joins it.
/// </summary>
[CollectionDefinition(Name)]
public sealed class NativeDriverCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "NativeDrivers";
}
