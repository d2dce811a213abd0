using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Nvme;

/// <summary>A command on the simulated controller: an admin command of the init state machine, or an I/O for <see cref="Srb"/>.</summary>
/// <param name="Admin">The init state the admin command belongs to, or null for I/O.</param>
/// <param name="Srb">The request an I/O command carries.</param>
public sealed record NvmeCommand(NvmeInitState? Admin, SCSI_REQUEST_BLOCK? Srb);
