# Builds Microsoft's netvmini (NDIS 6.0) from a checkout of microsoft/Windows-driver-samples, unmodified, with this
# repository's headers and the flags of native/toolchain.mk. Called by netvmini.sh; the driver's files are only read.
#   make -f native/real-drivers/netvmini.mk NETVMINI=<checkout>/network/ndis/netvmini/6x OUT=<folder>
MPT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
include $(MPT_ROOT)/native/toolchain.mk

NETVMINI ?= $(error set NETVMINI to the netvmini/6x folder of a Windows-driver-samples checkout)
OUT ?= build/netvmini
SOURCES := $(wildcard $(NETVMINI)/*.c)

# netvmini60.vcxproj: NDIS60_MINIPORT=1, NDIS_MINIPORT_DRIVER=1, WPP trace function DEBUGP(LEVEL,MSG,...).
NETVMINI_FLAGS := -DNDIS60_MINIPORT=1 -DNDIS_MINIPORT_DRIVER=1 -I$(NETVMINI) -I$(OUT)/tmh \
  '-DDEBUGP(LEVEL,...)=DbgPrintEx(DPFLTR_IHVDRIVER_ID, (ULONG)(LEVEL), __VA_ARGS__)'

$(OUT)/netvmini.so: $(SOURCES) $(MPT_SHIM)
	@mkdir -p $(OUT)/tmh
	@for tmh in $$(grep -ho '#include "[A-Za-z0-9_]*\.tmh"' $(SOURCES) | sed 's/.*"\(.*\)"/\1/' | sort -u); do \
	  echo '#include <mpt/wpp_tmh.h>' > $(OUT)/tmh/$$tmh; done
	$(call mpt_driver,$@,$(SOURCES)) $(NETVMINI_FLAGS)
