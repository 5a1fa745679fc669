"""A block of a Go program's own static memory, lent to the preview-1 adapter (notebook 11).

Why it is needed: the adapter that turns a preview-1 module into a component keeps its
stack and state in the module's linear memory, and asks the module for that memory through
an exported ``cabi_realloc``. Go exports none, so ``wasm-tools component new`` gives the
adapter pages taken with ``memory.grow``. Go's runtime assumes it alone grows memory: its
``sbrk`` (``runtime/mem_wasm.go``) hands out the pages right after its own idea of the end
of memory, so Go's heap soon covers the adapter's pages, and whether a component survives
depends on where the heap lands (``hello`` traps for some lengths of ``argv[0]``).

What the kit does, without touching the runtime or the learner's source: it builds the
program again with one more file, ``kit_adapter_arena.go``, which declares a zeroed array
(in Go's BSS: it costs no bytes in the file, and Go never hands it out as heap) and a
marker that holds the array's address. It then adds to the built module a small
``cabi_realloc`` that hands out that array, bump by bump, and exports it. The adapter takes
its stack and state from there, where Go's heap never reaches.
"""

from __future__ import annotations

import argparse
import struct
from pathlib import Path

from ..._errors import InvalidModule
from ...wasm.reader import ModuleInfo, encode_uleb, read_module

#: Bytes lent to the adapter: its stack (one page here) and state fit with room to spare.
ARENA_BYTES = 1 << 18
ARENA_FILE = "kit_adapter_arena.go"
#: Sixteen bytes that start the marker in Go's data; the array's address follows them.
MAGIC = b"kit-adapter-aren"
ARENA_SOURCE = f"""\
package main

// Added by the kernel_helpers kit when it makes this program a component (notebook 11):
// a zeroed block of Go's static memory, which Go never uses as heap, for the preview-1
// adapter's stack and state, and a marker holding its address, which the kit reads from
// the built module to write the cabi_realloc that hands the block out.

var kitAdapterArena [{ARENA_BYTES}]byte

var kitAdapterMarker = struct {{
	magic [16]byte
	arena *[{ARENA_BYTES}]byte
}}{{[16]byte{{{", ".join(f"'{chr(b)}'" for b in MAGIC)}}}, &kitAdapterArena}}

// Keeps the marker (and so the array) in the binary: the linker drops what no code uses.
func init() {{
	if kitAdapterMarker.arena == nil {{
		panic("kit adapter arena missing")
	}}
}}
"""

_I32 = 0x7F
_CABI_REALLOC = "cabi_realloc"


def _sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


class _Cursor:
    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def uleb(self, signed: bool = False) -> int:
        result = shift = 0
        while True:
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result - (1 << shift) if signed and byte & 0x40 else result

    def sleb(self) -> int:
        return self.uleb(signed=True)

    def take(self, count: int) -> bytes:
        self.pos += count
        return self.data[self.pos - count : self.pos]


def _payloads(info: ModuleInfo, module: bytes) -> list[tuple[int, bytes]]:
    """(section id, payload) of every section, in order, from the course's section reader."""
    return [
        (section.id, module[section.payload_offset : section.payload_offset + section.size])
        for section in info.sections
    ]


def built_by_go(module: bytes) -> bool:
    """Whether Go's toolchain made ``module`` (its ``producers`` section names Go)."""
    return any(
        value.split()[0] == "Go" for value in read_module(module).producers.get("language", [])
    )


def _active_segments(data_section: bytes) -> list[tuple[int, bytes]]:
    """(address, bytes) of each active data segment of memory 0 with an i32.const offset."""
    cursor, segments = _Cursor(data_section), []
    for _ in range(cursor.uleb()):
        flags = cursor.uleb()
        if flags == 1:  # passive: no address
            cursor.take(cursor.uleb())
            continue
        if flags == 2 and cursor.uleb() != 0:
            raise InvalidModule(
                "a data segment for a second memory", fix="lend the arena of a Go module"
            )
        if cursor.take(1) != b"\x41":
            raise InvalidModule(
                "a data segment whose address is not a constant",
                fix="lend the arena of a Go module",
            )
        address = cursor.sleb()
        cursor.take(1)  # end
        segments.append((address, cursor.take(cursor.uleb())))
    return segments


def _read_memory(segments: list[tuple[int, bytes]], address: int, count: int) -> bytes:
    """``count`` bytes of the initial memory at ``address`` (zero where no segment writes)."""
    memory = bytearray(count)
    for start, data in segments:
        low, high = max(start, address), min(start + len(data), address + count)
        if low < high:
            memory[low - address : high - address] = data[low - start : high - start]
    return bytes(memory)


def arena_bounds(module: bytes, info: ModuleInfo | None = None) -> tuple[int, int] | None:
    """(start, end) of the lent array in a module built with :data:`ARENA_SOURCE`; None
    for a module without the marker. ``info`` is the module's :func:`read_module`, if read."""
    sections = dict(_payloads(info or read_module(module), module))
    if 11 not in sections:
        return None
    segments = _active_segments(sections[11])
    for address, data in segments:
        found = data.find(MAGIC)
        if found >= 0:
            (start,) = struct.unpack("<Q", _read_memory(segments, address + found + len(MAGIC), 8))
            return start, start + ARENA_BYTES
    return None


def _bump_allocator(global_index: int, end: int) -> bytes:
    """Body of ``cabi_realloc(old, old_size, align, size) -> ptr``: the next ``align``ed
    block of the arena; a realloc copies the old block; past the arena's end it traps."""
    get, tee, add, sub, and_, gt_u = b"\x20", b"\x22", b"\x6a", b"\x6b", b"\x71", b"\x4b"
    code = b"".join(
        [
            b"\x23" + encode_uleb(global_index),
            get,
            b"\x02",
            add,
            b"\x41\x01",
            sub,  # bump + align - 1
            b"\x41\x00",
            get,
            b"\x02",
            sub,
            and_,
            tee,
            b"\x04",  # & -align -> ptr
            get,
            b"\x03",
            add,
            b"\x41" + _sleb(end),
            gt_u,
            b"\x04\x40\x00\x0b",  # past the end: trap
            get,
            b"\x04",
            get,
            b"\x03",
            add,
            b"\x24" + encode_uleb(global_index),  # bump = ptr + size
            get,
            b"\x00",
            b"\x04\x40",
            get,
            b"\x04",
            get,
            b"\x00",  # a realloc: copy
            get,
            b"\x01",
            get,
            b"\x03",
            get,
            b"\x01",
            get,
            b"\x03",
            b"\x49\x1b",  # min(old, new)
            b"\xfc\x0a\x00\x00\x0b",  # bytes (memory.copy)
            get,
            b"\x04",
            b"\x0b",
        ]
    )
    body = b"\x01\x01" + bytes([_I32]) + code
    return encode_uleb(len(body)) + body


def _append(section: bytes, item: bytes) -> tuple[bytes, int]:
    """The vector ``section`` with ``item`` appended, and the item's index in it."""
    cursor = _Cursor(section)
    count = cursor.uleb()
    return encode_uleb(count + 1) + section[cursor.pos :] + item, count


def lend_arena(module: bytes) -> bytes:
    """``module`` (built with :data:`ARENA_FILE`) with a ``cabi_realloc`` export that hands
    out the arena. Appends a type, a global, a function and an export; nothing else in the
    module moves, so Go's own code and names stay as they were."""
    info = read_module(module)
    bounds = arena_bounds(module, info)
    if bounds is None:
        raise InvalidModule(
            f"this module has no {ARENA_FILE} marker",
            fix=f"build the Go program with {ARENA_FILE} (kh.componentize does it for the course's examples)",
        )
    start, end = bounds
    sections = _payloads(info, module)
    present = {section_id for section_id, _ in sections}
    if not {1, 3, 7, 10} <= present:
        raise InvalidModule(
            "not a Go command module", fix="componentize the module that go build made"
        )
    if 6 not in present:  # no globals yet: an empty global section, in its place
        sections.insert(
            next(i for i, (s, _) in enumerate(sections) if s in (7, 8, 9, 10, 11, 12)), (6, b"\x00")
        )
    imported_functions = info.imported_functions
    imported_globals = sum(1 for imported in info.imports if imported.kind == "global")
    functions, type_index, global_index = 0, 0, 0
    rebuilt = []
    for section_id, payload in sections:
        if section_id == 1:
            payload, type_index = _append(
                payload, b"\x60\x04" + bytes([_I32] * 4) + b"\x01" + bytes([_I32])
            )
        elif section_id == 3:
            payload, functions = _append(payload, encode_uleb(type_index))
        elif section_id == 6:
            payload, defined = _append(payload, bytes([_I32, 1]) + b"\x41" + _sleb(start) + b"\x0b")
            global_index = imported_globals + defined
        elif section_id == 7:
            name = _CABI_REALLOC.encode()
            payload, _ = _append(
                payload,
                encode_uleb(len(name))
                + name
                + b"\x00"
                + encode_uleb(imported_functions + functions),
            )
        elif section_id == 10:
            payload, _ = _append(payload, _bump_allocator(global_index, end))
        rebuilt.append(bytes([section_id]) + encode_uleb(len(payload)) + payload)
    return module[:8] + b"".join(rebuilt)


def main(argv: list[str] | None = None) -> int:
    """``python -m kernel_helpers.toolchains.component.go_arena MODULE -o OUT``: the step by hand."""
    parser = argparse.ArgumentParser(
        prog="python -m kernel_helpers.toolchains.component.go_arena", description=main.__doc__
    )
    parser.add_argument("module", type=Path, help=f"a Go wasip1 module built with {ARENA_FILE}")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        lent = lend_arena(args.module.read_bytes())
    except (OSError, InvalidModule) as err:
        parser.exit(2, f"go_arena: {err}\n")
    args.output.write_bytes(lent)
    start, end = arena_bounds(lent) or (0, 0)
    print(f"{args.output}: cabi_realloc hands out {end - start:,} bytes at {start:#x}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
