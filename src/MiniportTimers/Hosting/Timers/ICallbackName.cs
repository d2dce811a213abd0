namespace MiniportTimers.Hosting.Timers;

/// <summary>
/// Implemented by the target of a callback delegate that stands for code elsewhere (a C function of a native driver):
/// reports and traces name the callback by <see cref="CallbackName"/> instead of the delegate's method.
/// </summary>
internal interface ICallbackName
{
    /// <summary>The callback's name as its source spells it.</summary>
    string CallbackName { get; }
}
