namespace MiniportTimers.Samples.Storahci;

/// <summary>How one simulated SATA device behaves after a port start or COMRESET (all times in µs).</summary>
/// <param name="Present">False: nothing is attached; DET stays 0 and the driver reports the port empty.</param>
/// <param name="LinkUpMicroseconds">Time until DET reads 1 (device present, PHY not yet established).</param>
/// <param name="PhyReadyMicroseconds">Further time until DET reads 3 (PHY communication established).</param>
/// <param name="BusyMicroseconds">Further time until the device clears BSY/DRQ.</param>
/// <param name="NeverReady">True: BSY never clears; the driver gives up after 60 s.</param>
/// <param name="CommandLatencyMicroseconds">Time from issuing a command to its completion interrupt.</param>
public sealed record AhciPortDeviceProfile(bool Present, long LinkUpMicroseconds, long PhyReadyMicroseconds, long BusyMicroseconds, bool NeverReady, long CommandLatencyMicroseconds);
