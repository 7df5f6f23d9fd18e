#!/usr/bin/env python3
"""Reads ast2graph's binary (--format binary) and lean JSON Lines (--format jsonl-lean) outputs.

Python's standard library only. As a module:

    import ast2graph_read
    for graph in ast2graph_read.read_binary("graph.a2g"):
        graph.path, graph.kinds, graph.start_offset, graph.edge_source, graph.token_text(5)

Each column is an `array.array` (`'H'`, `'i'`, `'I'`, `'B'`) read straight from the file's
bytes; with numpy, `numpy.frombuffer(data, dtype, count, offset)` maps the same offsets.

From the shell:

    python3 ci/ast2graph_read.py graph.a2g                  # one line per file: path, nodes, edges
    python3 ci/ast2graph_read.py graph.a2g --to-jsonl OUT   # the bytes `--format jsonl` writes

`--to-jsonl` takes either format and writes exactly what `ast2graph --format jsonl` writes for
the same run (tests compare the two byte for byte). Layouts: `docs/engines/ast2graph.md` and
the comments of `BinaryGraphExporter.swift` and `JSONLinesExporter.swift`.
"""
import argparse
import array
import json
import struct
import sys

MAGIC = b"A2GRAPH\0"
EDGE_KINDS = ["child", "next", "declares", "references", "imports"]


class FormatError(Exception):
    pass


def _padded(count):
    return count + (8 - count % 8) % 8


class FileGraph:
    """One file's graph: columns as arrays, as the binary format stores them."""

    __slots__ = (
        "path", "file_bytes", "syntax_errors", "kind_names", "kinds", "parents",
        "start_offset", "start_line", "start_column", "end_offset", "end_line", "end_column",
        "edge_kind", "edge_source", "edge_target", "named_nodes", "names", "source",
    )

    def kind(self, node):
        return self.kind_names[self.kinds[node]]

    def token_text(self, node):
        """A token's text, or None (not a token, or the source was not kept)."""
        if self.source is None or self.kind(node) != "token":
            return None
        return self.source[self.start_offset[node]:self.end_offset[node]].decode("utf-8")

    @property
    def node_count(self):
        return len(self.kinds)

    @property
    def edge_count(self):
        return len(self.edge_kind)


class _Cursor:
    def __init__(self, data, offset, end, path):
        self.data, self.offset, self.end, self.path = data, offset, end, path

    def take(self, count):
        if count < 0 or self.offset + count > self.end:
            raise FormatError(f"{self.path}: a block at byte {self.offset} is cut short")
        start = self.offset
        self.offset += _padded(count)
        return self.data[start:start + count]

    def column(self, typecode, count):
        values = array.array(typecode)
        values.frombytes(self.take(count * values.itemsize))
        if sys.byteorder != "little":
            values.byteswap()
        return values


def read_binary(path):
    """Yields each file's FileGraph from an ast2graph binary output, in file order."""
    with open(path, "rb") as handle:
        data = memoryview(handle.read())
    if len(data) < 16 or bytes(data[:8]) != MAGIC:
        raise FormatError(f"{path}: not an ast2graph binary graph (no A2GRAPH header)")
    (version,) = struct.unpack_from("<I", data, 8)
    if version != 1:
        raise FormatError(f"{path}: version {version}; this reader knows version 1")
    offset = 16
    while offset < len(data):
        if offset + 48 > len(data):
            raise FormatError(f"{path}: the block at byte {offset} is cut short")
        block_bytes, path_bytes, flags, file_bytes, source_bytes, nodes, edges, kinds, names = struct.unpack_from(
            "<QIIQQIIII", data, offset)
        end = offset + block_bytes
        if block_bytes < 48 or end > len(data):
            raise FormatError(f"{path}: the block at byte {offset} says {block_bytes} bytes; the file has {len(data) - offset}")
        cursor = _Cursor(data, offset + 48, end, path)
        graph = FileGraph()
        graph.path = bytes(cursor.take(path_bytes)).decode("utf-8")
        graph.file_bytes = file_bytes
        graph.syntax_errors = bool(flags & 1)
        kind_offsets = cursor.column("I", kinds + 1)
        kind_text = bytes(cursor.take(kind_offsets[-1]))
        graph.kind_names = [kind_text[kind_offsets[i]:kind_offsets[i + 1]].decode("utf-8") for i in range(kinds)]
        graph.kinds = cursor.column("H", nodes)
        graph.parents = cursor.column("i", nodes)
        for name in ("start_offset", "start_line", "start_column", "end_offset", "end_line", "end_column"):
            setattr(graph, name, cursor.column("I", nodes))
        graph.edge_kind = cursor.column("B", edges)
        graph.edge_source = cursor.column("i", edges)
        graph.edge_target = cursor.column("i", edges)
        graph.named_nodes = cursor.column("i", names)
        name_offsets = cursor.column("I", names + 1)
        name_text = bytes(cursor.take(name_offsets[-1]))
        graph.names = [name_text[name_offsets[i]:name_offsets[i + 1]].decode("utf-8") for i in range(names)]
        graph.source = bytes(cursor.take(source_bytes)) if flags & 2 else None
        if cursor.offset != end:
            raise FormatError(f"{path}: the block of {graph.path} has {end - cursor.offset} bytes more than its columns")
        yield graph
        offset = end


def _escape(text):
    """The inside of a JSON string, escaped as ast2graph escapes it."""
    out = []
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20:
            out.append("\\u%04x" % code)
        else:
            out.append(char)
    return "".join(out)


def _full_jsonl(graph_lines, out):
    """Writes the default JSON Lines layout for (header, nodes, edges) tuples."""
    for path, file_bytes, syntax_errors, nodes, edges in graph_lines:
        escaped = _escape(path)
        out.write(
            f'{{"type":"file","path":"{escaped}","bytes":{file_bytes},"nodes":{len(nodes)},"edges":{len(edges)},'
            f'"syntaxErrors":{"true" if syntax_errors else "false"}}}\n')
        for index, (kind, start, end, name, text) in enumerate(nodes):
            line = (f'{{"type":"node","id":"{escaped}#{index}","kind":"{kind}",'
                    f'"start":[{start[0]},{start[1]},{start[2]}],"end":[{end[0]},{end[1]},{end[2]}]')
            if name is not None:
                line += f',"name":"{_escape(name)}"'
            if text is not None:
                line += f',"text":"{_escape(text)}"'
            out.write(line + "}\n")
        for kind, source, target in edges:
            out.write(f'{{"type":"edge","kind":"{EDGE_KINDS[kind]}","source":"{escaped}#{source}",'
                      f'"target":"{escaped}#{target}"}}\n')


def _binary_as_lines(path):
    for graph in read_binary(path):
        names = dict(zip(graph.named_nodes, graph.names))
        nodes = []
        for i in range(graph.node_count):
            nodes.append((
                graph.kind(i),
                (graph.start_offset[i], graph.start_line[i], graph.start_column[i]),
                (graph.end_offset[i], graph.end_line[i], graph.end_column[i]),
                names.get(i), graph.token_text(i)))
        edges = list(zip(graph.edge_kind, graph.edge_source, graph.edge_target))
        yield graph.path, graph.file_bytes, graph.syntax_errors, nodes, edges


def read_lean(path):
    """Yields (path, bytes, syntaxErrors, nodes, edges) per file of a lean JSON Lines output;
    nodes as (kind, start triple, end triple, name, text), edges as (kind code, source, target)."""
    with open(path, "r", encoding="utf-8", newline="\n") as handle:
        lines = iter(handle)
        for number, line in enumerate(lines, 1):
            header = json.loads(line)
            if header.get("type") != "file" or header.get("layout") != "lean":
                raise FormatError(f"{path} line {number}: expected a lean file line")
            nodes, edges = [], []
            for _ in range(header["nodes"]):
                row = json.loads(next(lines))
                extra = row[7] if len(row) > 7 else None
                is_token = row[0] == "token"
                nodes.append((row[0], tuple(row[1:4]), tuple(row[4:7]),
                              None if is_token else extra, extra if is_token else None))
            for _ in range(header["edges"]):
                edges.append(tuple(json.loads(next(lines))))
            yield header["path"], header["bytes"], header["syntaxErrors"], nodes, edges


def _is_binary(path):
    with open(path, "rb") as handle:
        return handle.read(8) == MAGIC


def main():
    parser = argparse.ArgumentParser(description="Read ast2graph's binary or lean JSON Lines output.")
    parser.add_argument("input", help="an ast2graph output written with --format binary or --format jsonl-lean")
    parser.add_argument("--to-jsonl", metavar="OUT", help="write the same graph in ast2graph's default JSON Lines layout")
    arguments = parser.parse_args()
    try:
        source = _binary_as_lines(arguments.input) if _is_binary(arguments.input) else read_lean(arguments.input)
        if arguments.to_jsonl:
            with open(arguments.to_jsonl, "w", encoding="utf-8", newline="\n") as out:
                _full_jsonl(source, out)
        else:
            for path, _, _, nodes, edges in source:
                print(f"{path}\t{len(nodes)} nodes\t{len(edges)} edges")
    except (OSError, FormatError, ValueError, KeyError, IndexError, StopIteration) as error:
        print(f"ast2graph_read: {arguments.input}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
