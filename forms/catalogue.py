"""The item catalogue: every version of every item, looked up by code or searched.

The built-in catalogue is the package data ``forms/items/*.toml``, read through
``importlib.resources`` so it works from an installed wheel as well as from the tree.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from forms.schema import CatalogueError, ServiceItem, load_item

__all__ = [
    "Catalogue",
    "UnknownItem",
    "builtin_catalogue",
    "load_catalogue",
]


class UnknownItem(KeyError):
    """No item (or no such version of it) in the catalogue; the message is Chinese."""

    def __init__(self, code: str, version: int | None = None, known: Iterable[int] = ()) -> None:
        self.code = code
        self.version = version
        versions = "、".join(f"第{number}版" for number in known)
        if version is None:
            self.message = f"事项目录里没有编码为“{code}”的事项，请核对事项编码"
        else:
            self.message = f"事项“{code}”没有第{version}版（现有：{versions}），请核对版本"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _pinyin_forms(text: str) -> tuple[str, str]:
    """Full pinyin and pinyin initials of ``text``, lower-case, without spaces."""
    from pypinyin import Style, lazy_pinyin  # loading its dictionaries costs ~0.1 s

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(syllables).lower().replace(" ", ""), "".join(initials).lower().replace(" ", "")


def _search_keys(item: ServiceItem) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(texts, pinyin strings) that a query may match for ``item``."""
    texts = (item.name.lower(), *(keyword.lower() for keyword in item.keywords))
    spelled = tuple(form for text in texts for form in _pinyin_forms(text))
    return texts, spelled


def _score(query: str, item: ServiceItem, keys: tuple[tuple[str, ...], tuple[str, ...]]) -> int | None:
    """Rank of a match (lower is better), or ``None`` when ``query`` does not match."""
    texts, spelled = keys
    if query == item.code.lower():
        return 0
    if query == texts[0]:
        return 1
    if texts[0].startswith(query):
        return 2
    if query in item.code.lower():
        return 3
    if query in texts[0]:
        return 4
    if any(query in text for text in texts[1:]):
        return 5
    if any(query in form for form in spelled):
        return 6
    return None


class Catalogue:
    """Every version of every item; ``items()`` and ``get()`` give the newest version."""

    def __init__(self, items: Iterable[ServiceItem]) -> None:
        self._versions: dict[str, dict[int, ServiceItem]] = {}
        for item in items:
            self._versions.setdefault(item.code, {})[item.version] = item
        self._search_index: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None

    def __len__(self) -> int:
        return len(self._versions)

    def __contains__(self, code: object) -> bool:
        return code in self._versions

    def items(self) -> list[ServiceItem]:
        """The newest version of every item, in code order."""
        return [self.get(code) for code in sorted(self._versions)]

    def versions(self, code: str) -> list[int]:
        """Every version of ``code`` that can be loaded, oldest first."""
        if code not in self._versions:
            raise UnknownItem(code)
        return sorted(self._versions[code])

    def get(self, code: str, version: int | None = None) -> ServiceItem:
        """The item ``code``: the newest version, or exactly ``version``.

        Raises :class:`UnknownItem` (a ``KeyError``) with a Chinese message.
        """
        versions = self._versions.get(code.strip())
        if versions is None:
            raise UnknownItem(code)
        if version is None:
            return versions[max(versions)]
        if version not in versions:
            raise UnknownItem(code, version, sorted(versions))
        return versions[version]

    def search(self, query: str) -> list[ServiceItem]:
        """Items whose code, name, keyword, full pinyin or pinyin initials match.

        Every space-separated term must match; best matches first. ``"dbsq"``,
        ``"dibao"`` and ``"低保"`` all find 最低生活保障申请.
        """
        terms = query.lower().split()
        if not terms:
            return []
        index = self._index()
        ranked = []
        for item in self.items():
            scores = [_score(term, item, index[item.code]) for term in terms]
            if all(score is not None for score in scores):
                ranked.append((sum(s for s in scores if s is not None), item.code, item))
        return [item for _, _, item in sorted(ranked, key=lambda entry: entry[:2])]

    def _index(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        if self._search_index is None:
            self._search_index = {item.code: _search_keys(item) for item in self.items()}
        return self._search_index


def _toml_files(directory: Traversable) -> list[Traversable]:
    files = [entry for entry in directory.iterdir() if entry.name.endswith(".toml")]
    return sorted(files, key=lambda entry: entry.name)


def _load_all(files: Iterable[Traversable]) -> tuple[list[tuple[str, ServiceItem]], list[CatalogueError]]:
    """(file name, item) of every sound file, and the errors of every broken one."""
    loaded: list[tuple[str, ServiceItem]] = []
    errors: list[CatalogueError] = []
    for path in files:
        try:
            loaded.append((path.name, load_item(path)))
        except CatalogueError as error:
            errors.append(error)
    return loaded, errors


def _duplicate_errors(loaded: list[tuple[str, ServiceItem]]) -> list[CatalogueError]:
    seen: dict[tuple[str, int], str] = {}
    errors = []
    for file_name, item in loaded:
        key = (item.code, item.version)
        if key in seen:
            problem = f"编码 {item.code} 第{item.version}版已在 {seen[key]} 中定义，同一版本只能有一个文件"
            errors.append(CatalogueError(file_name, f"{item.code} {item.name}", [problem]))
        seen.setdefault(key, file_name)
    return errors


def _raise_all(errors: list[CatalogueError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        problems = [f"{error.path}（事项 {error.item}）：{p}" for error in errors for p in error.problems]
        raise CatalogueError(", ".join(error.path for error in errors), "多个事项", problems)


def _load_directory(directory: Traversable) -> Catalogue:
    loaded, errors = _load_all(_toml_files(directory))
    _raise_all(errors + _duplicate_errors(loaded))
    return Catalogue(item for _, item in loaded)


def load_catalogue(directory: str | Path | Traversable) -> Catalogue:
    """Every ``*.toml`` item file in ``directory``; raises one :class:`CatalogueError`
    that lists the problems of every broken file."""
    return _load_directory(Path(directory) if isinstance(directory, str) else directory)


@functools.cache
def builtin_catalogue() -> Catalogue:
    """The catalogue shipped with the package (``forms/items``), loaded once."""
    return _load_directory(resources.files("forms") / "items")
