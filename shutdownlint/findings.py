"""The values a run produces: findings, their fixes and related locations."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and a 1-based column counted in Unicode code points."""

    row: int
    column: int

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column}


@dataclass(frozen=True)
class Edit:
    content: str
    location: Location
    end_location: Location

    def to_json(self) -> dict:
        return {
            "content": self.content,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
        }


@dataclass(frozen=True)
class Fix:
    """What to change. Without edits it is a suggestion only ("display-only")."""

    message: str
    applicability: str = "display-only"  # "safe" | "unsafe" | "display-only"
    edits: tuple[Edit, ...] = ()

    def to_json(self) -> dict:
        return {
            "message": self.message,
            "applicability": self.applicability,
            "edits": [e.to_json() for e in self.edits],
        }


@dataclass(frozen=True)
class Related:
    """Another place that makes a finding a bug, with a short note."""

    message: str
    filename: str
    location: Location
    end_location: Location

    def to_json(self) -> dict:
        return {
            "message": self.message,
            "filename": self.filename,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
        }


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    severity: str  # "error" | "warning"
    filename: str  # absolute
    location: Location
    end_location: Location
    fix: Fix | None
    noqa_row: int | None
    related: tuple[Related, ...] = field(default=())

    @property
    def sort_key(self) -> tuple:
        return (self.filename, self.location, self.code, self.message)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity,
            "filename": self.filename,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
            "fix": self.fix.to_json() if self.fix else None,
            "noqa_row": self.noqa_row,
            "related": [r.to_json() for r in self.related],
        }

    @classmethod
    def from_json(cls, d: dict) -> Finding:
        """The inverse of `to_json` (the cache stores findings as JSON)."""

        def loc(x: dict) -> Location:
            return Location(x["row"], x["column"])

        fix = d.get("fix")
        return cls(
            code=d["code"],
            name=d["name"],
            message=d["message"],
            severity=d["severity"],
            filename=d["filename"],
            location=loc(d["location"]),
            end_location=loc(d["end_location"]),
            fix=Fix(
                fix["message"],
                fix["applicability"],
                tuple(
                    Edit(e["content"], loc(e["location"]), loc(e["end_location"]))
                    for e in fix["edits"]
                ),
            )
            if fix
            else None,
            noqa_row=d.get("noqa_row"),
            related=tuple(
                Related(r["message"], r["filename"], loc(r["location"]), loc(r["end_location"]))
                for r in d.get("related", [])
            ),
        )
