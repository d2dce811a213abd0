# Builds Microsoft's netvmini (NDIS 6.0) from a checkout of microsoft/Windows-driver-samples, unmodified, with this
# repository's headers and the flags of native/toolchain.mk. Called by netvmini.sh; the driver's files are only read.
#   make -f native/real-drivers/netvmini.mk NETVMINI=<checkout>/network/ndis/netvmini/6x OUT=<folder>
MPT_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/../..)
include $(MPT_ROOT)/native/toolchain.mk

NETVMINI ?= $(error set NETVMINI to the netvmini/6x folder of a Windows-driver-samples checkout)
OUT ?= build/netvmini
# The six files 60/netvmini60.vcxproj compiles (vmq.c, qos.c and the rssv2 files are for the NDIS 6.2+ builds).
SOURCES := $(addprefix $(NETVMINI)/,miniport.c adapter.c ctrlpath.c datapath.c tcbrcb.c mphal.c)

# netvmini60.vcxproj: NDIS60_MINIPORT=1, NDIS_MINIPORT_DRIVER=1, NDIS_WDM=1, WPP trace function DEBUGP(LEVEL,MSG,...).
NETVMINI_FLAGS := -DNDIS60_MINIPORT=1 -DNDIS_MINIPORT_DRIVER=1 -DNDIS_WDM=1 -I$(NETVMINI) -I$(OUT)/tmh \
  '-DDEBUGP(LEVEL,...)=DbgPrintEx(DPFLTR_IHVDRIVER_ID, (ULONG)(LEVEL), __VA_ARGS__)'

# mphal.h declares HWInitialize(PMP_ADAPTER, NDIS_HANDLE) and mphal.c defines it with PNDIS_MINIPORT_INIT_PARAMETERS:
# MSVC only warns (C4028), gcc refuses. For mphal.c alone (which does not call it), both take the definition's
# signature; adapter.c calls through the header's NDIS_HANDLE, the same pointer. No file of the sample is edited.
MPHAL_FLAGS := '-DHWInitialize(Adapter_, Context_)=HWInitialize(PMP_ADAPTER Adapter, PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)'
.DEFAULT_GOAL := $(OUT)/netvmini.so
OBJECTS := $(patsubst $(NETVMINI)/%.c,$(OUT)/%.o,$(SOURCES))

$(OUT)/tmh/.done: $(SOURCES)
	@mkdir -p $(OUT)/tmh
	@for tmh in $$(grep -ho '#include "[A-Za-z0-9_]*\.tmh"' $(SOURCES) | sed 's/.*"\(.*\)"/\1/' | sort -u); do \
	  echo '#include <mpt/wpp_tmh.h>' > $(OUT)/tmh/$$tmh; done
	@touch $@

$(OUT)/mphal.o: EXTRA_FLAGS := $(MPHAL_FLAGS)
$(OUT)/%.o: $(NETVMINI)/%.c $(OUT)/tmh/.done $(wildcard $(MPT_INCLUDE)/*.h $(MPT_INCLUDE)/*/*.h)
	$(MPT_CC) $(MPT_CFLAGS) $(NETVMINI_FLAGS) $(EXTRA_FLAGS) -c -o $@ $<

$(OUT)/netvmini.so: $(OBJECTS) $(MPT_SHIM)
	$(call mpt_driver,$@,$(OBJECTS))
