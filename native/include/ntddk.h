/*
 * MiniportTimers: the kernel header a driver of the WDM era includes first (ntddk.h: wdm.h and more). Here it is
 * wdm.h, the Windows version constants (sdkddkver.h) and structured exception handling's __try/__finally (excpt.h),
 * which Windows' ntdef.h brings in. Only what the emulation implements is declared (wdm.h says why).
 */
#pragma once

#include "sdkddkver.h"
#include "wdm.h"
#include "excpt.h"
