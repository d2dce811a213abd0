using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Storport;

/// <summary>A do-nothing miniport on a host of the test's choosing (real clock tests); returns the adapter's device extension.</summary>
internal static class RealClockAdapter
{
    public static object Create(StorportHost host, HW_STARTIO? startIo = null)
    {
        var extension = NullMiniport.Start(host, () => new TestExtension(), startIo);
        Assert.Equal(AdapterState.Started, host.Adapters[^1].State);
        return extension;
    }
}
