namespace MiniportTimers.Kernel;

/// <summary>
/// A body that reads its state by reference: the brackets miniport code runs in (<see cref="KernelContext"/>,
/// Watchdog.DpcWatchdog, Hosting.Routines.RoutineRunner) hand one state down through their layers without copying it at
/// each one. With <see cref="System.Action{T}"/> a timer expiry's state (the timer and its 48-byte firing, inside the runner's
/// seven-field tuple) was copied five times on its way to the callback: about 7 % of a Storport request+fire on the
/// virtual clock (issue 27, session sixteen). The body must not keep the reference beyond its return.
/// </summary>
/// <typeparam name="TState">The state's type; a value tuple, so that a call allocates nothing.</typeparam>
/// <param name="state">The state, read-only.</param>
internal delegate void StateAction<TState>(in TState state);
