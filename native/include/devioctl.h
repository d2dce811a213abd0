/*
 * MiniportTimers: I/O control codes (devioctl.h), from the public "Defining I/O Control Codes" page: the device type,
 * required access, function and transfer method packed into one ULONG.
 */
#pragma once

#include "ntdef.h"

typedef ULONG DEVICE_TYPE;
#define FILE_DEVICE_CONTROLLER 0x00000004
#define FILE_DEVICE_DISK 0x00000007
#define FILE_DEVICE_SCSI 0x0000001b
#define FILE_DEVICE_MASS_STORAGE 0x0000002d

#define CTL_CODE(DeviceType, Function, Method, Access) (((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#define DEVICE_TYPE_FROM_CTL_CODE(ControlCode) (((ULONG)(ControlCode) & 0xffff0000) >> 16)
#define METHOD_FROM_CTL_CODE(ControlCode) ((ULONG)((ControlCode) & 3))

#define METHOD_BUFFERED 0
#define METHOD_IN_DIRECT 1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER 3

#define FILE_ANY_ACCESS 0
#define FILE_READ_ACCESS 0x0001
#define FILE_WRITE_ACCESS 0x0002
