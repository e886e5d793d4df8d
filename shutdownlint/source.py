"""Positions in source text: astroid's UTF-8 byte offsets to code-point locations."""

from __future__ import annotations

from astroid import nodes

from shutdownlint.findings import Location, source_lines


class SourceText:
    """The text of one file, split into lines, with position conversions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = source_lines(text)

    def location(self, row: int, byte_offset: int) -> Location:
        """astroid columns are UTF-8 byte offsets; locations count code points (1-based)."""
        if 1 <= row <= len(self.lines):
            line = self.lines[row - 1]
            if not line.isascii():
                prefix = line.encode("utf-8")[:byte_offset]
                return Location(row, len(prefix.decode("utf-8", errors="ignore")) + 1)
        return Location(row, byte_offset + 1)

    def span(self, node: nodes.NodeNG) -> tuple[Location, Location]:
        row = node.lineno or 1
        col = node.col_offset or 0
        end_row = node.end_lineno or row
        end_col = node.end_col_offset if node.end_col_offset is not None else col
        return self.location(row, col), self.location(end_row, end_col)

    def segment(self, node: nodes.NodeNG) -> str | None:
        """The source text of `node` exactly as written, or None when it has no span."""
        if node.lineno is None or node.end_lineno is None or node.end_col_offset is None:
            return None
        rows = self.lines[node.lineno - 1 : node.end_lineno]
        if len(rows) != node.end_lineno - node.lineno + 1:
            return None
        encoded = [r.encode("utf-8") for r in rows]
        encoded[-1] = encoded[-1][: node.end_col_offset]
        encoded[0] = encoded[0][node.col_offset or 0 :]
        return b"\n".join(encoded).decode("utf-8", errors="replace")

    def indentation(self, row: int) -> str:
        line = self.lines[row - 1] if 1 <= row <= len(self.lines) else ""
        return line[: len(line) - len(line.lstrip())]
