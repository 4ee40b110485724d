"""The one collector every reader reports to: each problem as `path:line: message`, all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..yamlfile import LineDict, YamlError, load_yaml


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The content cannot be served; str() lists every problem, one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__(
            f"{len(self.problems)} lỗi nội dung:\n" + "\n".join(map(str, self.problems))
        )


_UNREADABLE = object()


class Collector:
    """Where readers put what is wrong (problems) and what merely needs a look (warnings)."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.warnings.append(Problem(self.rel(path), line, message))

    def parse_yaml(self, path: Path, line_offset: int = 0, text: str | None = None):
        """The file's YAML, or _UNREADABLE once the reason is reported (None: an empty file)."""
        try:
            if text is None:
                text = path.read_text(encoding="utf-8")
            return load_yaml(text, line_offset)
        except FileNotFoundError:
            self.problem(path, 1, "không tìm thấy tệp")
        except UnicodeDecodeError:
            self.problem(path, 1, "tệp phải được lưu bằng mã UTF-8")
        except YamlError as exc:
            self.problem(path, exc.line, exc.message)
        return _UNREADABLE

    def read_yaml(self, path: Path, line_offset: int = 0, text: str | None = None):
        data = self.parse_yaml(path, line_offset, text)
        if data is _UNREADABLE:
            return None
        if data is None:
            self.problem(path, 1 + line_offset, "tệp (hoặc phần đầu) đang trống")
            return None
        self._duplicate_keys(path, data)
        return data

    def _duplicate_keys(self, path: Path, data) -> None:
        if isinstance(data, LineDict):
            for key, line in data.duplicate_keys:
                self.problem(path, line, f"khóa '{key}' bị lặp lại")
            for value in data.values():
                self._duplicate_keys(path, value)
        elif isinstance(data, list):
            for value in data:
                self._duplicate_keys(path, value)

    def text(self, path: Path, data: LineDict, key: str, required: bool = True) -> str:
        value = data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if required:
            self.problem(path, data.line_of(key), f"thiếu '{key}' (một dòng chữ)")
        return ""

    def pass_mark(self, path: Path, data: LineDict) -> int:
        value = data.get("pass_mark")
        if not is_int(value, 1, 100):
            self.problem(path, data.line_of("pass_mark"), "'pass_mark' phải là phần trăm từ 1 đến 100")
            return 100
        return value

    def mapping(self, path: Path, data, what: str) -> LineDict | None:
        if isinstance(data, LineDict):
            return data
        if data is None:  # unreadable: read_yaml has reported why
            return None
        line = getattr(data, "line", 1)
        self.problem(path, line, f"{what} phải là một bảng khóa: giá trị")
        return None


def is_int(value, low: int, high: int) -> bool:
    """An integer (not a bool, which YAML also reads as one) from low to high."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def is_unreadable(data) -> bool:
    return data is _UNREADABLE
