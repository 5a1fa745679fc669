"""Read a WebAssembly binary back: header, sections, types, imports, exports, bodies.

A small pure-Python reader of the wasm binary format, enough to *show* a learner what is
inside a module: which sections it has and how big each one is, what it imports (the
WASI calls a compiled C program makes), what it exports, how big each function body is,
and how much linear memory it asks for. It does not validate (wasmtime does that); it
decodes what it understands and notes what it skips.

Introduced in notebook 01 (hello wasm: the bytes of a hand-written module) and used in
notebooks 02 and 03 (what a compiler put inside, section-size breakdowns).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .._display import ShownAsHtml, ShownAsText, html_table
from .._errors import InvalidModule, root_cause

#: Every wasm binary, core module or component, starts with these four bytes.
WASM_MAGIC = b"\0asm"
#: Core modules are version 1; components (the component model) use a different layer.
CORE_VERSION = 1
#: Bytes 6-7 of the header, the layer: 0 for a core module, 1 for a component.
COMPONENT_LAYER = b"\x01\x00"
#: Linear memory grows in pages of 64 KiB.
WASM_PAGE = 65536

SECTION_NAMES = {
    0: "custom",
    1: "type",
    2: "import",
    3: "function",
    4: "table",
    5: "memory",
    6: "global",
    7: "export",
    8: "start",
    9: "element",
    10: "code",
    11: "data",
    12: "datacount",
    13: "tag",
}

#: What each section holds, in one line a learner can read.
SECTION_MEANINGS = {
    "header": "magic number \\0asm and format version",
    "custom": "extra data the runtime ignores (names, debug info, producers)",
    "type": "function signatures used by imports and functions",
    "import": "what the module needs from its host",
    "function": "the signature (type index) of each function defined here",
    "table": "tables of function references (for indirect calls)",
    "memory": "linear memory: initial and maximum size in 64 KiB pages",
    "global": "global variables",
    "export": "what the module offers its host, by name",
    "start": "a function to run when the module is instantiated",
    "element": "initial contents of tables",
    "code": "the function bodies: the actual instructions",
    "data": "initial contents of linear memory (strings, constant tables)",
    "datacount": "how many data segments follow (helps one-pass validation)",
    "tag": "exception tags",
}

VALUE_TYPES = {
    0x7F: "i32",
    0x7E: "i64",
    0x7D: "f32",
    0x7C: "f64",
    0x7B: "v128",
    0x70: "funcref",
    0x6F: "externref",
    0x69: "exnref",
}

EXTERNAL_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}

#: A few other file formats people feed in by mistake, recognised by their first bytes.
OTHER_FORMATS = {
    b"\x7fELF": "a native ELF executable (Linux)",
    b"MZ": "a Windows executable",
    b"\xcf\xfa\xed\xfe": "a native Mach-O executable (macOS)",
    b"#!": "a script",
    b"PK\x03\x04": "a zip archive",
    b"\x1f\x8b": "a gzip file",
}


# --- decoded pieces --------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One section: ``offset`` is where its id byte sits, ``size`` its payload length."""

    id: int
    name: str
    offset: int
    header_size: int
    size: int
    custom_name: str | None = None

    @property
    def label(self) -> str:
        """``type``, ``code``... or ``custom:name`` for custom sections."""
        return f"custom:{self.custom_name}" if self.custom_name is not None else self.name

    @property
    def total_size(self) -> int:
        """Bytes the section takes in the file, its id and size bytes included."""
        return self.header_size + self.size

    @property
    def payload_offset(self) -> int:
        return self.offset + self.header_size


@dataclass(frozen=True)
class FuncType:
    params: tuple[str, ...]
    results: tuple[str, ...]

    def __str__(self) -> str:
        results = ", ".join(self.results) if self.results else "nothing"
        return f"({', '.join(self.params)}) -> {results}"


@dataclass(frozen=True)
class Limits:
    """Memory or table limits; for memories, in 64 KiB pages."""

    minimum: int
    maximum: int | None
    shared: bool = False
    is64: bool = False

    def __str__(self) -> str:
        text = f"min {self.minimum}"
        if self.maximum is not None:
            text += f", max {self.maximum}"
        return text + (", shared" if self.shared else "")


@dataclass(frozen=True)
class Import:
    """``module.name`` of kind ``func``/``memory``/``table``/``global``/``tag``."""

    module: str
    name: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.module}.{self.name} ({self.kind} {self.detail})"


@dataclass(frozen=True)
class Export:
    name: str
    kind: str
    index: int

    def __str__(self) -> str:
        return f"{self.name} ({self.kind} {self.index})"


@dataclass(frozen=True)
class FunctionBody:
    """A defined function: its index (imports come first), signature, body size."""

    index: int
    name: str | None
    type: FuncType | None
    offset: int
    size: int
    locals: int

    @property
    def label(self) -> str:
        return self.name or f"func[{self.index}]"


@dataclass(frozen=True)
class Span:
    """A run of bytes and what it means, for the annotated byte table."""

    start: int
    end: int
    section: str
    meaning: str


def encode_uleb(value: int) -> bytes:
    """``value`` as an unsigned LEB128, the varint wasm writes sizes and indices in (the
    reader's ``uleb`` reads it back): for tools that patch a module's bytes."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _count(number: int, noun: str) -> str:
    """ "1 function", "2 functions": a learner reads the table as a sentence."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


@dataclass(repr=False)
class ModuleInfo(ShownAsText, ShownAsHtml):
    """Everything :func:`read_module` decoded. Displays as tables in a notebook."""

    size: int
    version: int
    sections: list[Section] = field(default_factory=list)
    types: list[FuncType] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    function_types: list[int] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    memories: list[Limits] = field(default_factory=list)
    globals_count: int = 0
    data_segments: int = 0
    start: int | None = None
    bodies: list[FunctionBody] = field(default_factory=list)
    function_names: dict[int, str] = field(default_factory=dict)
    producers: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @property
    def imported_functions(self) -> int:
        return sum(1 for i in self.imports if i.kind == "func")

    def section(self, label: str) -> Section | None:
        """The first section called ``label`` (``"code"``, ``"custom:name"``...), or None."""
        return next((s for s in self.sections if s.label == label), None)

    def import_modules(self) -> list[str]:
        """The distinct module names imports come from, in order of first use."""
        return list(dict.fromkeys(i.module for i in self.imports))

    def largest_functions(self, count: int = 10) -> list[FunctionBody]:
        return sorted(self.bodies, key=lambda b: b.size, reverse=True)[:count]

    def text(self) -> str:
        lines = [f"WebAssembly module, version {self.version}, {self.size:,} bytes"]
        lines.append("sections:")
        for s in self.sections:
            lines.append(
                f"  {s.label:<24} {s.total_size:>9,} bytes at offset {s.offset:#x} "
                f"({s.header_size} for id and size, {s.size:,} of contents)"
            )
        if self.imports:
            lines.append("imports:")
            lines += [f"  {i}" for i in self.imports]
        if self.exports:
            lines.append("exports:")
            lines += [f"  {e}" for e in self.exports]
        for index, memory in enumerate(self.memories):
            lines.append(f"memory {index}: {memory} pages of 64 KiB")
        lines.append(f"functions defined here: {len(self.bodies)}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def html(self) -> str:
        parts = [
            f"<p><b>WebAssembly module</b>, version {self.version}, {self.size:,} bytes, "
            f"{_count(len(self.sections), 'section')}, {_count(len(self.bodies), 'function')} defined here</p>"
        ]
        parts.append(
            html_table(
                ["section", "id", "offset", "bytes in all", "of which contents", "holds"],
                [
                    [
                        s.label,
                        str(s.id),
                        f"{s.offset:#x}",
                        f"{s.total_size:,}",
                        f"{s.size:,}",
                        SECTION_MEANINGS.get(s.name, ""),
                    ]
                    for s in self.sections
                ],
            )
        )
        if self.imports:
            parts.append("<p><b>Imports</b> (what the host must provide)</p>")
            parts.append(
                html_table(
                    ["module", "name", "kind", "type"],
                    [[i.module, i.name, i.kind, i.detail] for i in self.imports],
                )
            )
        if self.exports:
            parts.append("<p><b>Exports</b> (what the host can use)</p>")
            parts.append(
                html_table(
                    ["name", "kind", "index"],
                    [[e.name, e.kind, str(e.index)] for e in self.exports],
                )
            )
        if self.memories:
            memory = self.memories[0]
            parts.append(
                f"<p><b>Memory</b>: {memory}, in pages of 64 KiB "
                f"({memory.minimum * WASM_PAGE:,} bytes at start)</p>"
            )
        parts += [f"<p><i>note: {html.escape(n)}</i></p>" for n in self.notes]
        return "".join(parts)


# --- the byte reader ---------------------------------------------------------------------


class _Truncated(Exception):
    """Internal: the bytes ended inside a structure."""


class _Reader:
    """A cursor over the bytes with the binary format's primitive decoders."""

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise _Truncated(self.pos)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        """Unsigned LEB128: 7 bits a byte, low bits first, high bit says "more follows"."""
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result
            if shift > 70:
                raise _Truncated(self.pos)

    def bytes(self, count: int) -> bytes:
        if self.pos + count > self.end:
            raise _Truncated(self.pos)
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def name(self) -> str:
        return self.bytes(self.uleb()).decode("utf-8", "replace")

    def value_type(self) -> str:
        code = self.byte()
        if code in VALUE_TYPES:
            return VALUE_TYPES[code]
        if code in (0x63, 0x64):  # (ref null? heaptype) from the GC/function-references proposals
            heap = self.byte()
            return f"ref {heap:#x}"
        raise ValueError(f"unknown value type byte {code:#04x}")

    def limits(self) -> Limits:
        flags = self.byte()
        minimum = self.uleb()
        maximum = self.uleb() if flags & 0x01 else None
        return Limits(minimum, maximum, shared=bool(flags & 0x02), is64=bool(flags & 0x04))

    def func_type(self) -> FuncType:
        form = self.byte()
        if form != 0x60:
            raise ValueError(f"type entry starts with {form:#04x}, expected 0x60 (func)")
        params = tuple(self.value_type() for _ in range(self.uleb()))
        results = tuple(self.value_type() for _ in range(self.uleb()))
        return FuncType(params, results)


# --- sections ------------------------------------------------------------------------------


def _as_bytes(module: bytes | bytearray | memoryview | str | Path) -> bytes:
    if isinstance(module, bytes | bytearray | memoryview):
        return bytes(module)
    if isinstance(module, str) and module.lstrip().startswith("("):
        return wat_to_wasm(module)
    path = Path(module)
    if not path.is_file():
        raise InvalidModule(
            f"no file at {path}", fix="pass the module's bytes, a .wasm path or WAT text"
        )
    return path.read_bytes()


def wat_to_wasm(text: str) -> bytes:
    """WAT text to wasm bytes; a parse error names its line and column (notebook 01)."""
    import wasmtime

    try:
        return bytes(wasmtime.wat2wasm(text))
    except wasmtime.WasmtimeError as err:
        raise InvalidModule(
            f"the WAT text does not parse: {root_cause(err)}",
            fix="check the line and column the message names; every '(' needs its ')'",
        ) from None


# --- is this wasm at all? ------------------------------------------------------------------
# The one header check of the kit: the runner, the browser widget and OCI packaging ask here.

_NOT_WASM_FIX = "compile for wasm32-wasi (notebook 02), then pass the .wasm file"


def is_wasm(data: bytes) -> bool:
    """True when ``data`` starts with the wasm magic bytes (a core module or a component)."""
    return data.startswith(WASM_MAGIC)


def is_component_bytes(data: bytes) -> bool:
    """True for the header of a component (``\\0asm``, version 0x0d, layer 1)."""
    return len(data) >= 8 and data[:4] == WASM_MAGIC and data[6:8] == COMPONENT_LAYER


def _is_wat(data: bytes) -> bool:
    return data.lstrip()[:1] == b"("


def describe_not_wasm(data: bytes) -> str | None:
    """Why ``data`` is not WebAssembly, in one sentence that names what it is instead (a
    native executable, WAT text, an empty file), or None when it starts with ``\\0asm``."""
    if is_wasm(data):
        return None
    if not data:
        return "the module is empty (0 bytes): not even the magic bytes \\0asm"
    for prefix, what in OTHER_FORMATS.items():
        if data.startswith(prefix):
            return f"this is {what}, not WebAssembly"
    if _is_wat(data):
        return "this is WAT text, not the binary format"
    return (
        "a module starts with the magic bytes 00 61 73 6d ('\\0asm'); these start with "
        f"{data[:4].hex(' ')}"
    )


def check_core_module(data: bytes) -> int:
    """Raise :class:`InvalidModule` saying what ``data`` is when it is not a core wasm
    module (another format, WAT text, a component, a truncated header); else its version."""
    why = describe_not_wasm(data)
    if why is not None:
        fix = (
            "turn it into bytes first: wasmtime.wat2wasm(text)" if _is_wat(data) else _NOT_WASM_FIX
        )
        raise InvalidModule(why, fix=fix)
    if len(data) < 8:
        raise InvalidModule(
            f"it is truncated: only {len(data)} bytes, not even a header", fix=_NOT_WASM_FIX
        )
    version = int.from_bytes(data[4:8], "little")
    if version != CORE_VERSION:
        if data[6:8] == COMPONENT_LAYER:
            raise InvalidModule(
                "this is a WebAssembly component (component model), but a core module is expected",
                fix="build for wasm32-wasip1 (WASI preview 1) rather than wasm32-wasip2",
            )
        raise InvalidModule(f"unknown wasm binary version {data[4:8].hex(' ')}; core modules are 1")
    return version


def read_module(module: bytes | bytearray | memoryview | str | Path) -> ModuleInfo:
    """Decode a module's header and sections (notebook 01; used again in 02 and 03).

    ``module`` is the bytes, a path to a ``.wasm`` file, or WAT text (starting with ``(``).
    Raises :class:`InvalidModule` with a plain reason for anything that is not a core
    wasm module (a native binary, WAT passed as bytes, a truncated file).
    """
    data = _as_bytes(module)
    info = ModuleInfo(size=len(data), version=check_core_module(data))
    info.spans += [Span(0, 4, "header", "magic number: \\0asm"), Span(4, 8, "header", "version 1")]
    reader = _Reader(data, 8)
    try:
        while reader.pos < len(data):
            _read_section(reader, info)
    except _Truncated as err:
        raise InvalidModule(
            f"the bytes end in the middle of a section (offset {err.args[0]:#x} of {len(data):#x})",
            fix="the file is truncated: rebuild it or download it again",
        ) from err
    _attach_names(info)
    return info


def _read_section(reader: _Reader, info: ModuleInfo) -> None:
    start = reader.pos
    section_id = reader.byte()
    size = reader.uleb()
    header_size = reader.pos - start
    payload = reader.pos
    end = payload + size
    if end > len(reader.data):
        raise _Truncated(len(reader.data))
    name = SECTION_NAMES.get(section_id, f"unknown({section_id})")
    body = _Reader(reader.data, payload, end)
    custom_name = body.name() if section_id == 0 else None
    section = Section(section_id, name, start, header_size, size, custom_name)
    info.sections.append(section)
    info.spans.append(
        Span(start, start + 1, name, f"section id {section_id}: {section.label} section")
    )
    info.spans.append(Span(start + 1, payload, name, f"section size: {size} bytes follow"))
    decoder = _DECODERS.get(name)
    try:
        if decoder is not None:
            decoder(body, info)
        elif section_id == 0:
            _custom(body, info, section)
        else:
            info.spans.append(Span(body.pos, end, name, f"{name} section contents"))
    except (ValueError, _Truncated) as err:
        info.notes.append(f"{section.label} section not fully decoded ({err})")
    reader.pos = end


def _vector(
    reader: _Reader, info: ModuleInfo, section: str, what: str, item: Callable[[int], str]
) -> None:
    """Read a count, then ``count`` items, recording a span for each."""
    start = reader.pos
    count = reader.uleb()
    info.spans.append(Span(start, reader.pos, section, f"{count} {what}"))
    for index in range(count):
        at = reader.pos
        meaning = item(index)
        info.spans.append(Span(at, reader.pos, section, meaning))


def _types(reader: _Reader, info: ModuleInfo) -> None:
    def item(index: int) -> str:
        func_type = reader.func_type()
        info.types.append(func_type)
        return f"type {index}: func {func_type}"

    _vector(reader, info, "type", "type(s)", item)


def _import_detail(reader: _Reader, info: ModuleInfo, kind: str) -> str:
    if kind == "func":
        index = reader.uleb()
        sig = info.types[index] if index < len(info.types) else None
        return f"type {index}: {sig}" if sig else f"type {index}"
    if kind == "table":
        element = reader.value_type()
        return f"{element} {reader.limits()}"
    if kind == "memory":
        return f"{reader.limits()} pages"
    if kind == "global":
        value = reader.value_type()
        return ("mutable " if reader.byte() else "") + value
    reader.byte()  # tag attribute
    return f"type {reader.uleb()}"


def _imports(reader: _Reader, info: ModuleInfo) -> None:
    def item(index: int) -> str:
        module, name = reader.name(), reader.name()
        kind = EXTERNAL_KINDS.get(reader.byte(), "unknown")
        detail = _import_detail(reader, info, kind)
        info.imports.append(Import(module, name, kind, detail))
        return f"import {module}.{name}: {kind} {detail}"

    _vector(reader, info, "import", "import(s)", item)


def _functions(reader: _Reader, info: ModuleInfo) -> None:
    def item(index: int) -> str:
        type_index = reader.uleb()
        info.function_types.append(type_index)
        return f"function {info.imported_functions + index} has type {type_index}"

    _vector(reader, info, "function", "function(s) defined here", item)


def _memories(reader: _Reader, info: ModuleInfo) -> None:
    def item(index: int) -> str:
        limits = reader.limits()
        info.memories.append(limits)
        return f"memory {index}: {limits} pages of 64 KiB"

    _vector(reader, info, "memory", "memory(ies)", item)


def _exports(reader: _Reader, info: ModuleInfo) -> None:
    def item(index: int) -> str:
        name = reader.name()
        kind = EXTERNAL_KINDS.get(reader.byte(), "unknown")
        target = reader.uleb()
        info.exports.append(Export(name, kind, target))
        return f'export "{name}": {kind} {target}'

    _vector(reader, info, "export", "export(s)", item)


def _start(reader: _Reader, info: ModuleInfo) -> None:
    at = reader.pos
    info.start = reader.uleb()
    info.spans.append(Span(at, reader.pos, "start", f"start function: {info.start}"))


def _globals(reader: _Reader, info: ModuleInfo) -> None:
    at = reader.pos
    info.globals_count = reader.uleb()
    info.spans.append(Span(at, reader.pos, "global", f"{info.globals_count} global(s)"))
    info.spans.append(Span(reader.pos, reader.end, "global", "global types and initial values"))


def _code(reader: _Reader, info: ModuleInfo) -> None:
    def item(index: int) -> str:
        size = reader.uleb()
        body_start = reader.pos
        locals_count = sum(_local_group(reader) for _ in range(reader.uleb()))
        reader.pos = body_start + size
        func_index = info.imported_functions + index
        type_index = info.function_types[index] if index < len(info.function_types) else None
        func_type = (
            info.types[type_index]
            if type_index is not None and type_index < len(info.types)
            else None
        )
        info.bodies.append(
            FunctionBody(func_index, None, func_type, body_start, size, locals_count)
        )
        return f"body of function {func_index}: {size} bytes of locals and instructions"

    _vector(reader, info, "code", "function body(ies)", item)


def _local_group(reader: _Reader) -> int:
    count = reader.uleb()
    reader.value_type()
    return count


def _data(reader: _Reader, info: ModuleInfo) -> None:
    at = reader.pos
    info.data_segments = reader.uleb()
    info.spans.append(Span(at, reader.pos, "data", f"{info.data_segments} data segment(s)"))
    info.spans.append(
        Span(reader.pos, reader.end, "data", "where each segment goes, and its bytes")
    )


def _custom(reader: _Reader, info: ModuleInfo, section: Section) -> None:
    info.spans.append(
        Span(
            section.payload_offset,
            reader.pos,
            "custom",
            f'custom section name "{section.custom_name}"',
        )
    )
    info.spans.append(Span(reader.pos, reader.end, "custom", f"{section.custom_name} contents"))
    if section.custom_name == "name":
        _name_section(reader, info)
    elif section.custom_name == "producers":
        _producers(reader, info)


def _name_section(reader: _Reader, info: ModuleInfo) -> None:
    """Function names (subsection 1): what lets us say *which* functions are big."""
    while reader.pos < reader.end:
        sub_id = reader.byte()
        sub_end = reader.uleb() + reader.pos
        if sub_id == 1:
            for _ in range(reader.uleb()):
                index = reader.uleb()
                info.function_names[index] = reader.name()
        reader.pos = sub_end


def _producers(reader: _Reader, info: ModuleInfo) -> None:
    """Which language and compiler made the module (clang, rustc, Go...)."""
    for _ in range(reader.uleb()):
        field_name = reader.name()
        values = []
        for _ in range(reader.uleb()):
            tool, version = reader.name(), reader.name()
            values.append(f"{tool} {version}".strip())
        info.producers[field_name] = values


def _attach_names(info: ModuleInfo) -> None:
    if not info.function_names:
        return
    info.bodies = [
        FunctionBody(b.index, info.function_names.get(b.index), b.type, b.offset, b.size, b.locals)
        for b in info.bodies
    ]


_DECODERS: dict[str, Callable[[_Reader, ModuleInfo], None]] = {
    "type": _types,
    "import": _imports,
    "function": _functions,
    "memory": _memories,
    "global": _globals,
    "export": _exports,
    "start": _start,
    "code": _code,
    "data": _data,
}


# --- views for notebooks ----------------------------------------------------------------------


def section_sizes(module: bytes | bytearray | memoryview | str | Path) -> dict[str, int]:
    """Bytes per section (id and size bytes included), plus the 8-byte ``header``.

    The values add up to the size of the file. Sections that appear more than once (custom
    sections with the same name) are summed. For the breakdown charts of notebooks 02-03.
    """
    info = read_module(module)
    sizes: dict[str, int] = {"header": 8}
    for section in info.sections:
        sizes[section.label] = sizes.get(section.label, 0) + section.total_size
    return sizes


#: Background colours for the byte table, one per kind of section.
SECTION_COLOURS = {
    "header": "#e8e8e8",
    "type": "#fde2c8",
    "import": "#d7ecff",
    "function": "#e6dcff",
    "table": "#f2f2c6",
    "memory": "#d8f5d0",
    "global": "#f8d7e4",
    "export": "#ffd6d6",
    "start": "#f2f2c6",
    "element": "#f2f2c6",
    "code": "#cdeee8",
    "data": "#fff3b0",
    "datacount": "#eeeeee",
    "custom": "#eeeeee",
}


@dataclass(repr=False)
class AnnotatedBytes(ShownAsText, ShownAsHtml):
    """A module's first bytes, each run labelled with what it means (notebook 01)."""

    spans: list[Span]
    data: bytes
    total: int

    def rows(self) -> list[tuple[int, str, str, str]]:
        """(offset, hex bytes, section, meaning), long runs cut to 16 bytes shown."""
        out = []
        for span in self.spans:
            chunk = self.data[span.start : span.end]
            shown = chunk[:16].hex(" ") + (f" … (+{len(chunk) - 16})" if len(chunk) > 16 else "")
            out.append((span.start, shown, span.section, span.meaning))
        return out

    def text(self) -> str:
        lines = [f"{'offset':>7}  {'bytes':<50} meaning"]
        lines += [
            f"{offset:#07x}  {shown:<50} {meaning}" for offset, shown, _, meaning in self.rows()
        ]
        if self.total > len(self.data):
            lines.append(f"... {self.total - len(self.data):,} more bytes")
        return "\n".join(lines)

    def html(self) -> str:
        cells = []
        for offset, shown, section, meaning in self.rows():
            colour = SECTION_COLOURS.get(section, "#ffffff")
            cells.append(
                f"<tr style='background:{colour}'><td style='text-align:right'><code>{offset:#06x}</code></td>"
                f"<td style='text-align:left'><code>{html.escape(shown)}</code></td>"
                f"<td style='text-align:left'>{html.escape(section)}</td>"
                f"<td style='text-align:left'>{html.escape(meaning)}</td></tr>"
            )
        more = (
            f"<p>… and {self.total - len(self.data):,} more bytes.</p>"
            if self.total > len(self.data)
            else ""
        )
        return (
            "<table style='font-size:90%'><tr><th>offset</th><th style='text-align:left'>bytes (hex)</th>"
            "<th style='text-align:left'>section</th><th style='text-align:left'>meaning</th></tr>"
            + "".join(cells)
            + "</table>"
            + more
        )


def annotated_bytes(
    module: bytes | bytearray | memoryview | str | Path, limit: int = 160
) -> AnnotatedBytes:
    """The first ``limit`` bytes as a table: offset, hex, section, meaning (notebook 01).

    Displays as a colour-coded table in a notebook (one colour per section) and as text
    with ``print``.
    """
    data = _as_bytes(module)
    info = read_module(data)
    spans = sorted(
        (s for s in info.spans if s.start < limit and s.end > s.start), key=lambda s: s.start
    )
    return AnnotatedBytes(spans, data[:limit], len(data))


_GO_PACKAGE = re.compile(r"^([A-Za-z0-9_]+)\.")
_RUST_LEGACY = re.compile(r"^_ZN(\d+)")


def package_of(function_name: str | None) -> str:
    """Which package or crate a function belongs to, from its name-section name.

    Go names read ``runtime.mallocgc`` or ``internal_fmtsort.compare`` (the package before
    the first dot); Rust's legacy mangling reads ``_ZN3std9panicking...`` (the first
    length-prefixed part is the crate); anything else is C or hand-written.
    """
    if not function_name:
        return "(no name)"
    rust = _RUST_LEGACY.match(function_name)
    if rust:
        start = rust.end()
        crate = function_name[start : start + int(rust[1])]
        return "trait impls" if crate.startswith("_$LT$") else crate
    go = _GO_PACKAGE.match(function_name)
    if go:
        return go[1]
    return "C / libc"


def code_by_package(module: bytes | bytearray | memoryview | str | Path) -> dict[str, int]:
    """Bytes of function bodies per package, largest first.

    Needs the ``name`` custom section (Go and Rust keep it; a stripped module has none,
    and then everything is ``(no name)``). Notebook 03 uses it to show the runtime a Go
    module carries.
    """
    totals: dict[str, int] = {}
    for body in read_module(module).bodies:
        package = package_of(body.name)
        totals[package] = totals.get(package, 0) + body.size
    return dict(sorted(totals.items(), key=lambda kv: kv[1], reverse=True))


def stripped_size(module: bytes | bytearray | memoryview | str | Path) -> int:
    """The module's size without its custom sections (what stripping would leave)."""
    return sum(
        size for label, size in section_sizes(module).items() if not label.startswith("custom:")
    )


#: The id of a component section that holds a whole core module.
CORE_MODULE_SECTION = 1


def core_module_spans(data: bytes) -> list[tuple[int, int]]:
    """Where the core modules of a component sit in its bytes: ``(offset, length)`` of each
    top-level core module section, in order. A host that runs a component as JavaScript
    (jco) compiles these very bytes, so the browser can take them from the component it
    hashed instead of trusting copies (notebook 11)."""
    if not is_component_bytes(data):
        raise InvalidModule(
            "this is not a component", fix="componentize it first: kh.componentize(module)"
        )
    reader, spans = _Reader(data, 8), []
    try:
        while reader.pos < reader.end:
            section, size = reader.byte(), reader.uleb()
            if section == CORE_MODULE_SECTION:
                spans.append((reader.pos, size))
            reader.bytes(size)
    except _Truncated:
        raise InvalidModule("the component is truncated: a section runs past its end") from None
    return spans
