#!/usr/bin/env python3
"""The ABI check: our headers (native/include) against an independent reference, mingw-w64's DDK headers.

What is compared is found, not listed: the script compiles our headers once with debug information and reads from it
every typedef, every structure's members (through anonymous and inline members) and every enumerator declared in
native/include; the preprocessor (-dD) gives every object-like macro defined there; -aux-info gives every routine
prototype. Typedefs of routine types (MINIPORT_INITIALIZE, PHW_FIND_ADAPTER, ...) are compared as prototypes too.

Both sides are then reduced to numbers by their own compiler, never by this script: a generated file holds one
initialiser a line (sizeof, offsetof, a constant, the size and class of a parameter type), our side is compiled with
the flags of native/toolchain.mk and the reference side with x86_64-w64-mingw32-gcc (Windows x64 is LLP64), both with
-S, and the numbers are read back from the assembly. A line the compiler rejects is dropped and the file compiled
again: on the reference side that is how "both define it" is decided.

Compared: the size of every typedef; the offset and size of every member both define; the bits every bit field
occupies (offsetof cannot name one, so each is set to all ones in an otherwise zero object, and the object's bytes are
read from the assembly); the value of every constant
both define (equal in the low bytes of the smaller of the two types, so 0xC0000001 as LONG and as ULONG agree); and
for every routine and routine type both declare, the number of parameters, whether it is variadic, and the size and
class (integer, pointer, aggregate, floating) of the return type and of each parameter.

Every mismatch fails the check unless native/abi/exceptions.txt names it with the public page that settles it; an
exception that matches nothing fails it too, so the list stays exact. Run it with `make -C native abi-check`.
"""

import argparse
import fnmatch
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.normpath(os.path.join(HERE, "..", "include"))

# Which reference translation unit answers for which of our headers (by path under native/include). Our side is one
# translation unit (ours.c); mingw-w64's headers do not all compile together, so the reference side is three.
GROUPS = {"base": "mingw_base.c", "ndis": "mingw_ndis.c", "storport": "mingw_storport.c"}
# Headers that are the emulation's own (the C host API, SAL and WPP stand-ins) have no Windows counterpart.
EXCLUDED_DIRS = ("mpt",)

# gcc's __builtin_classify_type classes, folded to what decides how a value is passed on x64.
CLASS_NAMES = {0: "void", 1: "int", 2: "int", 3: "int", 4: "int", 5: "ptr", 6: "ptr", 8: "float", 12: "agg", 13: "agg",
               14: "ptr", 10: "ptr"}


def group_of(path):
    """The group of one of our headers, or None when it is not compared."""
    path = os.path.normpath(path)
    if not path.startswith(INCLUDE + os.sep):
        return None
    rel = os.path.relpath(path, INCLUDE)
    if rel.split(os.sep)[0] in EXCLUDED_DIRS:
        return None
    if rel in ("storport.h", "srb.h", "srbhelper.h", "scsiwmi.h", "scsi.h", "ata.h"):  # mingw_storport.c has mingw-w64's
        # srb.h, storport.h, scsiwmi.h, scsi.h and ata.h
        return "storport"
    if rel == "ndis.h" or rel.startswith("ndis" + os.sep):
        return "ndis"
    return "base"


def run(cmd, **kwargs):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def must(cmd):
    result = run(cmd)
    if result.returncode != 0:
        sys.exit("abi-check: command failed: %s\n%s" % (" ".join(cmd), result.stderr))
    return result.stdout


# ---------------------------------------------------------------------------------------------------------------
# Discovery, on our side: debug information (readelf), the preprocessor's macro dump, -aux-info.

def read_dwarf(objfile):
    """The DIE tree of an ELF object, as readelf prints it: a list of dicts (tag, attrs, children, parent)."""
    text = must(["readelf", "--debug-dump=info", objfile])
    dies, by_offset, stack = [], {}, []
    header = re.compile(r"^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\w+)\))?")
    attribute = re.compile(r"^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s?(.*)$")
    current = None
    for line in text.splitlines():
        match = header.match(line)
        if match:
            depth, offset, abbrev, tag = int(match.group(1)), int(match.group(2), 16), match.group(3), match.group(4)
            if abbrev == "0":  # the end of a list of children
                current = None
                continue
            while stack and stack[-1]["depth"] >= depth:
                stack.pop()
            die = {"tag": tag, "attrs": {}, "children": [], "depth": depth, "offset": offset,
                   "parent": stack[-1] if stack else None}
            if die["parent"] is not None:
                die["parent"]["children"].append(die)
            stack.append(die)
            dies.append(die)
            by_offset[offset] = die
            current = die
            continue
        match = attribute.match(line)
        if match and current is not None:
            current["attrs"][match.group(1)] = match.group(2).strip()
    return dies, by_offset


def read_file_table(objfile):
    """DWARF 5 line-table file names: index -> absolute path."""
    text = must(["readelf", "--debug-dump=rawline", objfile])
    dirs, files, section = {}, {}, None
    for line in text.splitlines():
        if "The Directory Table" in line:
            section = "dirs"
            continue
        if "The File Name Table" in line:
            section = "files"
            continue
        if not line.strip():
            section = None
            continue
        if section == "dirs":
            match = re.match(r"^\s*(\d+)\s+(?:\(.*?\):\s*)?(\S.*)$", line)
            if match:
                dirs[int(match.group(1))] = match.group(2).strip()
        elif section == "files":
            match = re.match(r"^\s*(\d+)\s+(\d+)\s+(?:\(.*?\):\s*)?(\S.*)$", line)
            if match:
                files[int(match.group(1))] = os.path.join(dirs.get(int(match.group(2)), ""), match.group(3).strip())
    return files


def die_name(die):
    value = die["attrs"].get("DW_AT_name")
    if value is None:
        return None
    # "(indirect string, offset: 0x17db): ptrdiff_t" or plain "ptrdiff_t"
    return value.rsplit("): ", 1)[-1] if value.startswith("(") else value


def die_ref(die, attr="DW_AT_type"):
    value = die["attrs"].get(attr)
    match = re.match(r"<0x([0-9a-f]+)>", value or "")
    return int(match.group(1), 16) if match else None


def strip_qualifiers(die, by_offset):
    while die is not None and die["tag"] in ("DW_TAG_const_type", "DW_TAG_volatile_type"):
        die = by_offset.get(die_ref(die))
    return die


def member_paths(struct, by_offset, prefix=""):
    """(path, is_bitfield) for every member, flattening anonymous members and recursing into inline struct/union
    members (a member whose type is a struct or union written in place, not a typedef)."""
    for member in struct["children"]:
        if member["tag"] != "DW_TAG_member":
            continue
        name = die_name(member)
        target = strip_qualifiers(by_offset.get(die_ref(member)), by_offset)
        inline = target is not None and target["tag"] in ("DW_TAG_structure_type", "DW_TAG_union_type")
        if name is None:
            if inline:
                yield from member_paths(target, by_offset, prefix)
            continue
        bitfield = "DW_AT_bit_size" in member["attrs"]
        yield prefix + name, bitfield
        if inline and not bitfield:
            yield from member_paths(target, by_offset, prefix + name + ".")


def discover_ours(args, work):
    """Typedefs (with their members), enumerators, routine types, macros and prototypes of our headers."""
    src = os.path.join(HERE, "ours.c")
    obj = os.path.join(work, "ours-discover.o")
    aux = os.path.join(work, "ours-discover.aux")
    flags = our_flags(args)
    must([args.cc] + flags + ["-g", "-gdwarf-5", "-fno-eliminate-unused-debug-types", "-aux-info", aux, "-c", src,
                              "-o", obj])
    dies, by_offset = read_dwarf(obj)
    files = read_file_table(obj)

    def group(die):
        index = die["attrs"].get("DW_AT_decl_file")
        if index is None:
            return None
        return group_of(files.get(int(index.split()[0]), ""))

    typedefs, enumerators, routine_types = {}, {}, {}
    for die in dies:
        if die["depth"] != 1:
            continue
        grp = group(die)
        if grp is None:
            continue
        if die["tag"] == "DW_TAG_typedef":
            name = die_name(die)
            target = strip_qualifiers(by_offset.get(die_ref(die)), by_offset)
            # Follow typedefs of typedefs (PHYSICAL_ADDRESS -> LARGE_INTEGER) to find what the name finally is.
            seen = target
            while seen is not None and seen["tag"] == "DW_TAG_typedef":
                seen = strip_qualifiers(by_offset.get(die_ref(seen)), by_offset)
            if seen is not None and seen["tag"] == "DW_TAG_subroutine_type":
                routine_types[name] = (grp, "__typeof__(%s) abi_routine_%s;" % (name, name))
                continue
            if seen is not None and seen["tag"] == "DW_TAG_pointer_type":
                pointee = strip_qualifiers(by_offset.get(die_ref(seen)), by_offset)
                if pointee is not None and pointee["tag"] == "DW_TAG_subroutine_type":
                    routine_types[name] = (grp, "__typeof__(*(%s)0) abi_routine_%s;" % (name, name))
                    # A routine-pointer typedef is also a pointer: its size is compared below.
            members = []
            if seen is not None and seen["tag"] in ("DW_TAG_structure_type", "DW_TAG_union_type") and \
                    "DW_AT_declaration" not in seen["attrs"]:
                members = list(member_paths(seen, by_offset))
            if seen is not None and seen["tag"] in ("DW_TAG_structure_type", "DW_TAG_union_type") and \
                    "DW_AT_declaration" in seen["attrs"]:
                continue  # an opaque type (PEX_TIMER's target): nothing to measure
            typedefs[name] = (grp, members)
        elif die["tag"] == "DW_TAG_enumeration_type":
            for enumerator in die["children"]:
                if enumerator["tag"] == "DW_TAG_enumerator":
                    enumerators[die_name(enumerator)] = grp

    macros = {}
    text = must([args.cc] + flags + ["-E", "-dD", src])
    current = None
    for line in text.splitlines():
        marker = re.match(r'^# \d+ "([^"]+)"', line)
        if marker:
            current = group_of(os.path.abspath(marker.group(1)))
            continue
        define = re.match(r"^#define ([A-Za-z_]\w*)(\(| |$)(.*)", line)
        # String constants (IOCTL_MINIPORT_SIGNATURE_*) have no number to compare.
        if define and current is not None and define.group(2) != "(" and \
                not re.match(r'^\s*L?"', define.group(3)):
            macros[define.group(1)] = current

    routines = {}
    for name, path in routines_declared(aux).items():
        grp = group_of(path)
        if grp is not None:
            routines[name] = (grp, "__typeof__(%s) abi_routine_%s;" % (name, name))
    routines.update(routine_types)
    return typedefs, enumerators, macros, routines


def split_params(text):
    """Top-level comma split of a parameter list."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def routines_declared(path):
    """Names of the routines -aux-info lists (declared or defined inline): name -> the file that declares it."""
    result = {}
    line_re = re.compile(r"^/\* (.+?):\d+:[NO][CF] \*/ (?:extern |static )?.*?\b([A-Za-z_]\w*) \(")
    for line in open(path, encoding="utf-8", errors="replace"):
        match = line_re.match(line)
        if match:
            result.setdefault(match.group(2), match.group(1))
    return result


def read_aux(path, prefix):
    """The prototypes -aux-info lists for the routines a generated file declared (named prefix + name):
    name -> (return type, [parameter types], variadic)."""
    result = {}
    if not os.path.exists(path):
        return result
    line_re = re.compile(r"^/\* .+?:\d+:NC \*/ extern (.+?)\b" + re.escape(prefix) + r"(\w+) \((.*)\);$")
    for line in open(path, encoding="utf-8", errors="replace"):
        match = line_re.match(line.strip())
        if not match:
            continue
        params = split_params(match.group(3))
        variadic = bool(params) and params[-1] == "..."
        if variadic:
            params = params[:-1]
        if params == ["void"]:
            params = []
        result[match.group(2)] = (match.group(1).strip(), params, variadic)
    return result


# ---------------------------------------------------------------------------------------------------------------
# Evaluation: one initialiser a line, compiled to assembly; rejected lines dropped until the file compiles.

class Items:
    def __init__(self):
        self.lines = []    # C source, one item a line
        self.keys = []     # what each line measures
        self.numbers = []  # whether the line defines a number (abi_v_N) or only declares something

    def add(self, key, expr):
        self.keys.append(key)
        self.numbers.append(True)
        self.lines.append("unsigned long long abi_v_%d = (unsigned long long)(%s);" % (len(self.lines), expr))

    def declare(self, key, decl):
        self.keys.append(key)
        self.numbers.append(False)
        self.lines.append(decl)

    def image(self, key, type_name, path):
        """An object of type_name with the bit field at path set to all ones: its bytes say which bits it occupies."""
        self.keys.append(key)
        self.numbers.append(True)
        self.lines.append("%s abi_b_%d = { .%s = -1 };" % (type_name, len(self.lines), path))


def compile_items(cc, flags, src, items, path, aux=None, rounds=8):
    """Compiles src with the items included; returns ({key: value}, stderr of dropped lines). The items file keeps its
    line numbers when a line is dropped (the line is blanked), so the compiler's diagnostics name lines exactly."""
    active = [True] * len(items.lines)
    asm = path[:-4] + ".s"
    name = os.path.basename(path)
    dropped = {}
    for _ in range(rounds):
        with open(path, "w") as out:
            out.write("\n".join(line if on else "" for line, on in zip(items.lines, active)) + "\n")
        cmd = [cc] + flags + ["-w", "-S", "-DABI_ITEMS=\"%s\"" % path, src, "-o", asm]
        if aux:
            cmd[1:1] = ["-aux-info", aux]
        result = run(cmd)
        if result.returncode == 0:
            break
        bad = {int(n) for n in re.findall(re.escape(name) + r":(\d+):", result.stderr)}
        bad = {n for n in bad if 1 <= n <= len(active) and active[n - 1]}
        if not bad:
            sys.exit("abi-check: %s does not compile, and not because of a generated line:\n%s" % (src, result.stderr))
        for n in bad:
            active[n - 1] = False
            dropped[items.keys[n - 1]] = True
    else:
        sys.exit("abi-check: %s still does not compile after %d rounds" % (src, rounds))
    values = {}
    text = open(asm).read()
    for match in re.finditer(r"^abi_v_(\d+):\s*\n(?:\s*\.[a-z]+[^\n]*\n)*?\s*\.(quad|zero|space)\s+(-?\w+)", text, re.M):
        index, directive, operand = int(match.group(1)), match.group(2), match.group(3)
        try:
            number = 0 if directive != "quad" else int(operand, 0)
        except ValueError:
            continue  # an address, not a number
        values[items.keys[index]] = number & 0xFFFFFFFFFFFFFFFF
    for index, bits in read_images(text).items():
        values[items.keys[index]] = bits
    # A line the compiler accepted must have given a number; if one is missing, the assembly was read wrong, and a
    # silent gap would look like "not in the reference".
    unread = [items.keys[i] for i, on in enumerate(active) if on and items.numbers[i] and items.keys[i] not in values]
    # An all-ones bit field sets at least one bit: an empty image means its data was read wrong, not that it is empty.
    unread += [key for key in items.keys if key[0] == "bits" and values.get(key) == frozenset()]
    if unread:
        sys.exit("abi-check: %s: no number read from the assembly for %s" % (asm, unread[:5]))
    return values, dropped


DATA_WIDTHS = {"byte": 1, "value": 2, "short": 2, "2byte": 2, "word": 2, "long": 4, "4byte": 4, "int": 4, "quad": 8,
               "8byte": 8}


def read_images(text):
    """{N: frozenset of the set bit numbers} for every abi_b_N object in the assembly, read from its data directives
    (byte-wise little-endian: bit 8*k+j is bit j of byte k), ELF's or PE's."""
    images, current, offset, bits = {}, None, 0, set()
    for raw in text.splitlines():
        line = raw.strip()
        label = re.match(r"^abi_b_(\d+):$", line)
        if label:
            current, offset, bits = int(label.group(1)), 0, set()
            continue
        if current is None:
            continue
        data = re.match(r"^\.(byte|value|short|2byte|word|long|4byte|int|quad|8byte|zero|space)\s+(-?\w+)", line)
        if data:
            directive, operand = data.group(1), data.group(2)
            if directive in ("zero", "space"):
                offset += int(operand, 0)
                continue
            width = DATA_WIDTHS[directive]
            number = int(operand, 0) & ((1 << (8 * width)) - 1)
            bits.update(offset * 8 + b for b in range(8 * width) if number >> b & 1)
            offset += width
            continue
        images[current] = frozenset(bits)  # the first line that is not data ends the object
        current = None
    if current is not None:
        images[current] = frozenset(bits)
    return images


def describe_bits(bits):
    """"bits 1221-1224" for a set of bit numbers, counted from bit 0 of the object's first byte."""
    if not bits:
        return "no bits"
    ordered = sorted(bits)
    runs, start = [], ordered[0]
    for previous, bit in zip(ordered, ordered[1:] + [None]):
        if bit != previous + 1:
            runs.append("%d" % start if start == previous else "%d-%d" % (start, previous))
            start = bit
    return "bits " + ", ".join(runs)


def our_flags(args):
    # Drop what only matters for linking a driver; add the NDIS version the reference side is built for.
    flags = [f for f in shlex.split(args.cflags) if f not in ("-shared",)]
    return flags + ["-DNDIS620_MINIPORT", "-DNDIS_LEGACY_DRIVER"]  # both views, as mingw_ndis.c sees them (issue 23: ndis/legacy.h)


def mingw_flags(args):
    return ["-std=gnu11", "-I" + os.path.join(args.mingw_include, "ddk"), "-I" + args.mingw_include]


def build_items(typedefs, constants):
    """(group, key, expression) for every number of the values pass but the signatures."""
    result = []
    for name, (grp, members) in sorted(typedefs.items()):
        result.append((grp, ("size", name), "sizeof(%s)" % name))
        for path, bitfield in members:
            if bitfield:
                result.append((grp, ("bits", name + "." + path), (name, path)))  # offsetof cannot name a bit field
                continue
            result.append((grp, ("offset", name + "." + path), "__builtin_offsetof(%s, %s)" % (name, path)))
            result.append((grp, ("fieldsize", name + "." + path), "sizeof(((%s *)0)->%s)" % (name, path)))
    for name, grp in sorted(constants.items()):
        result.append((grp, ("value", name), name))
        result.append((grp, ("valuesize", name), "sizeof(%s)" % name))
    return result


def type_items(items, key, type_text):
    if type_text.strip() == "void":
        return
    items.add(key + ("size",), "sizeof(__typeof__(%s))" % type_text)
    items.add(key + ("class",), "__builtin_classify_type(*(__typeof__(%s) *)0)" % type_text)


def signature_items(items, name, proto):
    _, ret, params, _ = proto
    type_items(items, ("sig", name, "ret"), ret)
    for i, param in enumerate(params):
        type_items(items, ("sig", name, i), param)


def signature(name, proto, values):
    """(return, [params], variadic) as (class, size) pairs; None where a type could not be measured."""
    _, ret, params, variadic = proto

    def shape(key, text):
        if text.strip() == "void":
            return ("void", 0)
        size, cls = values.get(("sig", name, key, "size")), values.get(("sig", name, key, "class"))
        if size is None or cls is None:
            return None
        return (CLASS_NAMES.get(cls, "class%d" % cls), size)

    return shape("ret", ret), [shape(i, p) for i, p in enumerate(params)], variadic


def describe_signature(proto):
    _, ret, params, variadic = proto
    return "%s (%s%s)" % (ret, ", ".join(params) or "void", ", ..." if variadic else "")


# ---------------------------------------------------------------------------------------------------------------

def load_exceptions(path):
    entries = []
    for number, line in enumerate(open(path), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[1].startswith("https://"):
            sys.exit("abi-check: %s:%d: want 'PATTERN URL REASON'" % (path, number))
        entries.append({"pattern": parts[0], "url": parts[1], "reason": parts[2], "line": number, "used": 0})
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cc", default="gcc")
    parser.add_argument("--cflags", required=True, help="our flags (MPT_CFLAGS of native/toolchain.mk)")
    parser.add_argument("--mingw-cc", default="x86_64-w64-mingw32-gcc")
    parser.add_argument("--mingw-include", default="/usr/share/mingw-w64/include")
    parser.add_argument("--exceptions", default=os.path.join(HERE, "exceptions.txt"))
    parser.add_argument("--out", default=os.path.join(HERE, "..", "build", "abi"))
    parser.add_argument("--verbose", "-v", action="store_true", help="also list what the reference does not define")
    args = parser.parse_args()

    if run(["sh", "-c", "command -v %s" % shlex.quote(args.mingw_cc)]).returncode != 0 or \
            not os.path.exists(os.path.join(args.mingw_include, "ddk", "ndis.h")):
        sys.exit("abi-check: needs %s and mingw-w64's DDK headers in %s (Debian: apt-get install "
                 "gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev)" % (args.mingw_cc, args.mingw_include))
    work = os.path.abspath(args.out)
    os.makedirs(work, exist_ok=True)

    typedefs, enumerators, macros, routines = discover_ours(args, work)
    constants = dict(macros)
    constants.update(enumerators)

    # Pass 1 on each side: declare abi_routine_X with the type of every routine and routine type X of ours, and read
    # the prototypes back with -aux-info (so inline routines and typedefs are measured the same way as declarations).
    # Our side is one translation unit; the reference side is one per group.
    protos = {"ours": {}, "mingw": {}}
    passes = [("ours", None, args.cc, our_flags(args), "ours.c")] + \
        [("mingw", grp, args.mingw_cc, mingw_flags(args), src) for grp, src in GROUPS.items()]
    for side, grp, cc, flags, src in passes:
        items = Items()
        for name, (rgrp, decl) in sorted(routines.items()):
            if grp is None or rgrp == grp:
                items.declare(("routine", name), decl)
        tag = "%s-%s" % (side, grp or "all")
        aux = os.path.join(work, tag + ".aux")
        if os.path.exists(aux):
            os.remove(aux)
        compile_items(cc, flags, os.path.join(HERE, src), items, os.path.join(work, tag + "-decls.inc"), aux=aux)
        for name, proto in read_aux(aux, "abi_routine_").items():
            protos[side][name] = (grp or routines[name][0],) + proto
    compared_routines = sorted(set(protos["ours"]) & set(protos["mingw"]))

    # Pass 2 on each side: every number.
    numbers = build_items(typedefs, constants)
    def add_number(items, key, expr):
        if key[0] == "bits":
            items.image(key, *expr)
        else:
            items.add(key, expr)

    our_items = Items()
    for _, key, expr in numbers:
        add_number(our_items, key, expr)
    for name in compared_routines:
        signature_items(our_items, name, protos["ours"][name])
    ours, dropped_ours = compile_items(args.cc, our_flags(args), os.path.join(HERE, "ours.c"), our_items,
                                       os.path.join(work, "ours-values.inc"))
    theirs = {}
    for grp, src in GROUPS.items():
        items = Items()
        for item_group, key, expr in numbers:
            if item_group == grp:
                add_number(items, key, expr)
        for name in compared_routines:
            if protos["mingw"][name][0] == grp:
                signature_items(items, name, protos["mingw"][name])
        got, _ = compile_items(args.mingw_cc, mingw_flags(args), os.path.join(HERE, src), items,
                               os.path.join(work, "mingw-%s-values.inc" % grp))
        theirs.update(got)
    unmeasured = sorted("%s:%s" % key[:2] for key in dropped_ours if key[0] in ("size", "offset", "fieldsize", "bits"))
    if unmeasured:
        # Every typedef and member of ours was found in our own debug information, so each must measure.
        sys.exit("abi-check: our side could not measure: %s" % ", ".join(unmeasured))

    mismatches, compared, missing = [], {"size": 0, "offset": 0, "fieldsize": 0, "bits": 0, "value": 0, "proto": 0}, []

    for key in our_items.keys:
        kind = key[0]
        if kind in ("size", "offset", "fieldsize"):
            if key not in ours:
                continue
            if key not in theirs:
                missing.append("%s:%s" % key)
                continue
            compared[kind] += 1
            if ours[key] != theirs[key]:
                mismatches.append(("%s:%s" % key, "ours %d, mingw-w64 %d" % (ours[key], theirs[key])))
        elif kind == "bits":
            if key not in ours:
                continue
            if key not in theirs:
                missing.append("%s:%s" % key)
                continue
            compared["bits"] += 1
            if ours[key] != theirs[key]:
                mismatches.append(("%s:%s" % key, "ours %s, mingw-w64 %s" % (describe_bits(ours[key]),
                                                                          describe_bits(theirs[key]))))
        elif kind == "value":
            size_key = ("valuesize", key[1])
            if key not in ours:
                continue
            if key not in theirs:
                missing.append("value:%s" % key[1])
                continue
            compared["value"] += 1
            width = min(ours.get(size_key, 8), theirs.get(size_key, 8), 8) * 8
            mask = (1 << width) - 1
            if (ours[key] & mask) != (theirs[key] & mask):
                mismatches.append(("value:%s" % key[1], "ours 0x%X, mingw-w64 0x%X" % (ours[key] & mask,
                                                                                     theirs[key] & mask)))

    for name in compared_routines:
        mine, other = signature(name, protos["ours"][name], ours), signature(name, protos["mingw"][name], theirs)
        if None in [mine[0], other[0]] + mine[1] + other[1]:
            missing.append("proto:%s (a parameter type could not be measured)" % name)
            continue
        compared["proto"] += 1
        if mine != other:
            mismatches.append(("proto:%s" % name, "ours %s; mingw-w64 %s" % (describe_signature(protos["ours"][name]),
                                                                         describe_signature(protos["mingw"][name]))))
    for name in sorted(set(protos["ours"]) - set(protos["mingw"])):
        missing.append("proto:%s" % name)

    exceptions = load_exceptions(args.exceptions)
    failing, excepted = [], []
    for item, detail in mismatches:
        rule = next((e for e in exceptions if fnmatch.fnmatchcase(item, e["pattern"])), None)
        if rule:
            rule["used"] += 1
            excepted.append((item, detail, rule))
        else:
            failing.append((item, detail))
    stale = [e for e in exceptions if e["used"] == 0]

    with open(os.path.join(work, "report.txt"), "w") as report:
        for item, detail in failing:
            report.write("MISMATCH %s: %s\n" % (item, detail))
        for item, detail, rule in excepted:
            report.write("EXCEPTED %s: %s (%s)\n" % (item, detail, rule["url"]))
        for item in missing:
            report.write("NOT-IN-REFERENCE %s\n" % item)

    print("abi-check: compared %d typedef sizes, %d member offsets, %d member sizes, %d bit fields, %d constants, "
          "%d prototypes against mingw-w64 (%d of ours not in it; %s)" % (
              compared["size"], compared["offset"], compared["fieldsize"], compared["bits"], compared["value"],
              compared["proto"],
              len(missing), os.path.relpath(os.path.join(work, "report.txt"))))
    if args.verbose:
        for item in missing:
            print("  not in the reference: %s" % item)
    for item, detail, rule in excepted:
        print("  excepted %s: %s (exceptions.txt:%d)" % (item, detail, rule["line"]))
    for item, detail in failing:
        print("  MISMATCH %s: %s" % (item, detail))
    for rule in stale:
        print("  STALE exceptions.txt:%d '%s' matches no mismatch: remove it" % (rule["line"], rule["pattern"]))
    print("abi-check: %d mismatch(es) outside exceptions.txt, %d excepted" % (len(failing), len(excepted)))
    return 1 if failing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
