/*
 * MiniportTimers: miniport.h, the base a storage miniport includes before storport.h: here, the base types
 * (ntdef.h) and the I/O control codes (devioctl.h).
 */
#pragma once

#include "ntdef.h"
#include "devioctl.h"
