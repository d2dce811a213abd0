#!/usr/bin/env python3
"""MiniportTimers: what the WDK's `wmimofck -h` writes for a driver's MOF file (its WMI classes as C), for building a
real driver whose project generates that header (nvmewin's nvmeMofData.h). Our own small generator, not the WDK tool:

    python3 wmimofck.py FILE.mof > FILE.h

For each class with a guid qualifier: `DEFINE_GUID(<Class>_GUID, ...)` and `#define <Class>Guid {...}`; a structure
`<Class>` / `P<Class>` of its WmiDataId items in WmiDataId order, each naturally aligned as WMI lays out a data block,
with `<Class>_<Item>_SIZE` and `<Class>_<Item>_ID`, and `<Class>_SIZE` (the offset of the last item plus its size);
for each method, `#define <Method> <WmiMethodId>`, and `<Method>_IN` / `<Method>_OUT` structures of its [in] and [out]
parameters (numbered in declaration order) with their `_SIZE`. Items: sint8..uint64, boolean, and embedded classes
of the same file; a string or an array ends the fixed layout (its members and _SIZE are left out, as a variable-sized
block cannot be a C structure) and the header says so. Exit status 2 for a file it cannot read.
"""
import re
import sys

SCALARS = {
    "sint8": ("CHAR", 1), "uint8": ("UCHAR", 1), "sint16": ("SHORT", 2), "uint16": ("USHORT", 2),
    "sint32": ("LONG", 4), "uint32": ("ULONG", 4), "sint64": ("LONGLONG", 8), "uint64": ("ULONGLONG", 8),
    "boolean": ("BOOLEAN", 1), "real32": ("FLOAT", 4), "real64": ("DOUBLE", 8),
}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def parse(text):
    """[(qualifiers, name, body)] for every `[qualifiers] class Name { body };`."""
    classes = []
    for m in re.finditer(r"\[([^\]]*(?:\[[^\]]*\][^\]]*)*)\]\s*class\s+(\w+)(?:\s*:\s*\w+)?\s*\{(.*?)\}\s*;", text, re.S):
        classes.append((m.group(1), m.group(2), m.group(3)))
    return classes


def guid_of(qualifiers):
    m = re.search(r'guid\s*\(\s*"\{?([0-9A-Fa-f-]{36})\}?"\s*\)', qualifiers)
    return m.group(1) if m else None


def items_of(body):
    """[(id, type, name, is_array)] of the WmiDataId properties, by id."""
    items = []
    for m in re.finditer(r"\[([^\]]*)\]\s*(\w+)\s+(\w+)\s*(\[[^\]]*\])?\s*;", body):
        qual, typ, name, arr = m.group(1), m.group(2), m.group(3), m.group(4)
        ident = re.search(r"WmiDataId\s*\(\s*(\d+)\s*\)", qual)
        if ident:
            items.append((int(ident.group(1)), typ, name, arr is not None))
    return sorted(items)


def methods_of(body):
    """[(id, name, [(direction, type, name, is_array)])] of the WmiMethodId methods."""
    methods = []
    for m in re.finditer(r"\[([^\]]*)\]\s*\w+\s+(\w+)\s*\((.*?)\)\s*;", body, re.S):
        ident = re.search(r"WmiMethodId\s*\(\s*(\d+)\s*\)", m.group(1))
        if not ident:
            continue
        params = []
        for p in re.finditer(r"\[([^\]]*)\]\s*(\w+)\s+(\w+)\s*(\[[^\]]*\])?", m.group(3)):
            quals = [q.strip().lower() for q in p.group(1).split(",")]
            direction = "in" if "in" in quals else "out"
            if "in" in quals and "out" in quals:
                direction = "inout"
            params.append((direction, p.group(2), p.group(3), p.group(4) is not None))
        methods.append((int(ident.group(1)), m.group(2), params))
    return methods


class Emitter:
    def __init__(self):
        self.lines = []
        self.layouts = {}  # class name -> (size, alignment) for embedded use

    def struct(self, name, members):
        """members: [(id, type, name, is_array)]; returns the structure's (size, alignment) or None if variable."""
        out = self.lines
        out.append(f"typedef struct _{name}")
        out.append("{")
        offset, align_max, fixed, last = 0, 1, True, None
        for ident, typ, item, is_array in members:
            if typ in SCALARS and not is_array:
                ctype, size = SCALARS[typ]
                align = size
            elif typ in self.layouts and not is_array:
                ctype, (size, align) = typ, self.layouts[typ]
            else:
                out.append(f"    /* {typ} {item}{'[]' if is_array else ''} (WmiDataId {ident}): variable-sized; "
                           "the items from here on are not laid out */")
                fixed = False
                break
            offset = (offset + align - 1) // align * align
            out.append(f"    {ctype} {item};")
            out.append(f"    #define {name}_{item}_SIZE sizeof({ctype})")
            out.append(f"    #define {name}_{item}_ID {ident}")
            out.append("")
            last = item
            offset += size
            align_max = max(align_max, align)
        if not members:
            out.append("    UCHAR Reserved; /* no items */")
        out.append(f"}} {name}, *P{name};")
        out.append("")
        if fixed and last is not None:
            out.append(f"#define {name}_SIZE (FIELD_OFFSET({name}, {last}) + {name}_{last}_SIZE)")
            out.append("")
        if not fixed:
            return None
        return ((offset + align_max - 1) // align_max * align_max, align_max)


def main(argv):
    if len(argv) != 2:
        print("usage: wmimofck.py FILE.mof > FILE.h", file=sys.stderr)
        return 2
    try:
        raw = open(argv[1], "rb").read()
    except OSError as error:
        print(f"wmimofck.py: {error}", file=sys.stderr)
        return 2
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8", "replace")
    em = Emitter()
    em.lines += [f"/* Generated by MiniportTimers' native/real-drivers/wmimofck.py from {argv[1].split('/')[-1]}. */",
                 "#pragma once", "#include <guiddef.h>", ""]
    for qualifiers, name, body in parse(strip_comments(text)):
        guid = guid_of(qualifiers)
        if guid:
            parts = guid.split("-")
            d1, d2, d3 = "0x" + parts[0].lower(), "0x" + parts[1].lower(), "0x" + parts[2].lower()
            tail = parts[3] + parts[4]
            b = ",".join("0x" + tail[i:i + 2].lower() for i in range(0, 16, 2))
            em.lines.append(f"/* {name} */")
            em.lines.append(f"#define {name}Guid {{ {d1},{d2},{d3}, {{ {b} }} }}")
            em.lines.append(f"DEFINE_GUID({name}_GUID, {d1},{d2},{d3},{b});")
            em.lines.append("")
        items = items_of(body)
        methods = methods_of(body)
        if items or not methods:
            layout = em.struct(name, items)
            if layout:
                em.layouts[name] = layout
        for ident, method, params in methods:
            em.lines.append(f"/* Method {method} of {name} */")
            em.lines.append(f"#define {method} {ident}")
            em.lines.append("")
            numbered = [(i + 1, d, t, n, a) for i, (d, t, n, a) in enumerate(params)]
            ins = [(i, t, n, a) for i, d, t, n, a in numbered if d in ("in", "inout")]
            outs = [(i, t, n, a) for i, d, t, n, a in numbered if d in ("out", "inout")]
            if ins:
                em.struct(f"{method}_IN", ins)
            if outs:
                em.struct(f"{method}_OUT", outs)
    sys.stdout.write("\n".join(em.lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
