#!/usr/bin/env python3
"""Prints the import module and field names of a WebAssembly module, one `module.field` per line."""
import sys


def leb128(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def name(data, pos):
    length, pos = leb128(data, pos)
    return data[pos:pos + length].decode(), pos + length


def limits(data, pos):
    flags, pos = leb128(data, pos)
    _, pos = leb128(data, pos)
    if flags & 1:
        _, pos = leb128(data, pos)
    return pos


def imports(data):
    if data[:4] != b"\0asm":
        raise SystemExit("not a wasm module")
    pos = 8
    while pos < len(data):
        section, pos = data[pos], pos + 1
        size, pos = leb128(data, pos)
        end = pos + size
        if section == 2:
            count, pos = leb128(data, pos)
            for _ in range(count):
                module, pos = name(data, pos)
                field, pos = name(data, pos)
                kind, pos = data[pos], pos + 1
                if kind == 0:
                    _, pos = leb128(data, pos)
                elif kind == 1:
                    pos = limits(data, pos + 1)
                elif kind == 2:
                    pos = limits(data, pos)
                elif kind == 3:
                    pos += 2
                else:
                    _, pos = leb128(data, pos + 1)
                yield f"{module}.{field}"
        pos = end


if __name__ == "__main__":
    for entry in imports(open(sys.argv[1], "rb").read()):
        print(entry)
