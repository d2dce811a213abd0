# MiniportTimers: the one place the C flags live. Driver source (ours, or a user's real driver) is compiled with these
# so its types have their Windows x64 sizes and layout:
#   -fms-extensions     anonymous structs and unions as MSVC accepts them
#   -fshort-wchar       WCHAR/wchar_t is 16 bits, so L"..." literals match UNICODE_STRING buffers
#   -mms-bitfields      bit-field layout as MSVC lays it out
#   -fPIC -shared       the driver becomes a .so the .NET host loads (NativeLibrary)
#   -fvisibility=hidden only the bridge's entry points are exported
#   -Wno-multichar      pool tags like 'TMPM' are multi-character constants, as MSVC accepts them
# Include it from a Makefile:  include $(MPT_ROOT)/native/toolchain.mk
MPT_ROOT ?= $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
MPT_INCLUDE := $(MPT_ROOT)/native/include
MPT_SHIM := $(wildcard $(MPT_ROOT)/native/shim/*.c)
MPT_CC ?= gcc
MPT_CFLAGS := -std=gnu11 -O1 -g -fPIC -fms-extensions -fshort-wchar -mms-bitfields -fvisibility=hidden \
  -fno-strict-aliasing -Wall -Wextra -Wno-unused-parameter -Wno-unknown-pragmas -Wno-missing-field-initializers \
  -Wno-ignored-attributes -Wno-multichar -D_AMD64_ -DMPT_EMULATION -I$(MPT_INCLUDE)
MPT_LDFLAGS := -shared -Wl,--no-undefined -Wl,-z,defs

# $(call mpt_driver,output.so,sources...): one driver .so with the shim linked in (native/mpt-link adds a pointer to
# docs/native.md when the link fails on a routine the bridge does not provide).
mpt_driver = $(MPT_ROOT)/native/mpt-link $(MPT_CC) $(MPT_CFLAGS) -o $(1) $(2) $(MPT_SHIM) $(MPT_LDFLAGS)
