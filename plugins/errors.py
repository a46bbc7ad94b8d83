"""User-facing build errors: every message names a file and line and says what to do."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int = 0
    message: str = ""
    severity: str = "error"  # "error" or "warning"
    check: str = ""

    def format(self) -> str:
        loc = f"{self.path}:{self.line}" + (f":{self.col}" if self.col else "")
        prefix = "" if self.severity == "error" else "warning: "
        return f"{loc}: {prefix}{self.message}"

    def github(self) -> str:
        kind = "error" if self.severity == "error" else "warning"
        msg = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        col = f",col={self.col}" if self.col else ""
        return f"::{kind} file={self.path},line={self.line}{col}::{msg}"

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "severity": self.severity,
            "check": self.check,
        }


class BuildError(Exception):
    """Raised for a user mistake; carries one or more problems, never shown as a traceback."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    def error(self, path, line, message, col=0, check=""):
        self.problems.append(Problem(str(path), int(line or 1), int(col or 0), message, "error", check))

    def warning(self, path, line, message, col=0, check=""):
        self.problems.append(Problem(str(path), int(line or 1), int(col or 0), message, "warning", check))

    def extend(self, problems):
        self.problems.extend(problems)

    @property
    def errors(self):
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self):
        return [p for p in self.problems if p.severity == "warning"]

    def sorted(self):
        return sorted(set(self.problems))
