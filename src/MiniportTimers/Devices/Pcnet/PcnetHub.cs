namespace MiniportTimers.Devices.Pcnet;

/// <summary>
/// A repeater hub joining emulated NICs: a frame one NIC transmits with its link up reaches every other attached NIC
/// whose link is up (each applies its own address filter). Delivery happens after the sender's register access returns
/// and outside its lock; each receiver takes the frame under its own lock.
/// </summary>
/// <remarks>Thread safety: every member is thread-safe.</remarks>
public sealed class PcnetHub
{
    private readonly object _gate = new();
    private readonly List<Pcnet> _ports = [];
    private long _frames;

    /// <summary>Frames repeated (one per transmitted frame, whatever the number of receivers).</summary>
    public long FramesRepeated => Interlocked.Read(ref _frames);

    /// <summary>Attaches <paramref name="nic"/>; a NIC is on at most one hub.</summary>
    /// <exception cref="InvalidOperationException">The NIC is on a hub already.</exception>
    public void Attach(Pcnet nic)
    {
        ArgumentNullException.ThrowIfNull(nic);
        lock (_gate)
        {
            if (nic.Hub is not null)
            {
                throw new InvalidOperationException("The NIC is attached to a hub already.");
            }

            nic.Hub = this;
            _ports.Add(nic);
        }
    }

    internal void Repeat(Pcnet sender, byte[] frame)
    {
        Pcnet[] receivers;
        lock (_gate)
        {
            receivers = [.. _ports.Where(p => p != sender)];
        }

        Interlocked.Increment(ref _frames);
        foreach (var receiver in receivers)
        {
            receiver.Receive(frame);
        }
    }
}
