"""The item catalogue: every version of every item, looked up by code or searched.

The built-in catalogue is the package data ``forms/items/*.toml``, read from the package's
folder (through ``importlib.resources`` when the package is no folder, as from a zip file),
so it works from an installed wheel as well as from the tree.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from forms import checksums, schema, validators
from forms.parsed_cache import cached
from forms.schema import CatalogueError, ServiceItem, item_from_bytes

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "Catalogue",
    "UnknownItem",
    "builtin_catalogue",
    "load_catalogue",
    "merged_catalogue",
    "station_catalogue",
]


class UnknownItem(KeyError):
    """No item (or no such version of it) in the catalogue; the message is Chinese."""

    def __init__(
        self, code: str, version: int | None = None, known: Iterable[int] = ()
    ) -> None:
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


class _SearchKeys(NamedTuple):
    """What a query may match for one item, lower-case."""

    code: str
    name: str
    keywords: tuple[str, ...]
    spelled: tuple[str, ...]  # full pinyin and initials of the name and every keyword


def _pinyin_forms(text: str) -> tuple[str, str]:
    """Full pinyin and pinyin initials of ``text``, lower-case, without spaces."""
    from pypinyin import Style, lazy_pinyin  # its dictionaries load slowly: only on search

    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(syllables).replace(" ", ""), "".join(initials).replace(" ", "")


def _search_keys(item: ServiceItem) -> _SearchKeys:
    name = item.name.lower()
    keywords = tuple(keyword.lower() for keyword in item.keywords)
    spelled = tuple(form for text in (name, *keywords) for form in _pinyin_forms(text))
    return _SearchKeys(item.code.lower(), name, keywords, spelled)


def _score(query: str, keys: _SearchKeys) -> int | None:
    """Rank of a match (lower is better), or ``None`` when ``query`` does not match."""
    ranked = (
        query == keys.code,
        query == keys.name,
        keys.name.startswith(query),
        query in keys.code,
        query in keys.name,
        any(query in keyword for keyword in keys.keywords),
        any(query in form for form in keys.spelled),
    )
    return next((rank for rank, matched in enumerate(ranked) if matched), None)


class Catalogue:
    """Every version of every item; ``items()`` and ``get()`` give the newest version."""

    def __init__(self, items: Iterable[ServiceItem]) -> None:
        self._versions: dict[str, dict[int, ServiceItem]] = {}
        for item in items:
            self._versions.setdefault(item.code, {})[item.version] = item
        self._search_index: dict[str, _SearchKeys] | None = None

    def __len__(self) -> int:
        return len(self._versions)

    def __contains__(self, code: object) -> bool:
        return code in self._versions

    def items(self) -> list[ServiceItem]:
        """The newest version of every item, in code order."""
        return [self.get(code) for code in sorted(self._versions)]

    def versions(self, code: str) -> list[int]:
        """Every version of ``code`` that can be loaded, oldest first."""
        versions = self._versions.get(code.strip())
        if versions is None:
            raise UnknownItem(code)
        return sorted(versions)

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
        ranked: list[tuple[int, str, ServiceItem]] = []
        for item in self.items():
            scores = [_score(term, index[item.code]) for term in terms]
            if None not in scores:
                ranked.append((sum(score or 0 for score in scores), item.code, item))
        return [item for _, _, item in sorted(ranked, key=lambda entry: entry[:2])]

    def _index(self) -> dict[str, _SearchKeys]:
        if self._search_index is None:
            self._search_index = {item.code: _search_keys(item) for item in self.items()}
        return self._search_index


def _toml_files(directory: Traversable) -> list[Traversable]:
    files = [entry for entry in directory.iterdir() if entry.name.endswith(".toml")]
    return sorted(files, key=lambda entry: entry.name)


class _Source(NamedTuple):
    """One item file as read: its name, where it is (for messages) and its bytes."""

    name: str
    where: str
    data: bytes


def _read_sources(directory: Traversable) -> list[_Source]:
    return [_Source(entry.name, str(entry), entry.read_bytes()) for entry in _toml_files(directory)]


_Loaded = list[tuple[str, ServiceItem]]


def _load_all(sources: Iterable[_Source]) -> tuple[_Loaded, list[CatalogueError]]:
    """(file name, item) of every sound file, and the errors of every broken one."""
    loaded: _Loaded = []
    errors: list[CatalogueError] = []
    for source in sources:
        try:
            loaded.append((source.name, item_from_bytes(source.data, source.where)))
        except CatalogueError as error:
            errors.append(error)
    return loaded, errors


def _duplicate_errors(loaded: _Loaded) -> list[CatalogueError]:
    seen: dict[tuple[str, int], str] = {}
    errors = []
    for file_name, item in loaded:
        key = (item.code, item.version)
        if key in seen:
            problem = (
                f"编码 {item.code} 第{item.version}版已在 {seen[key]} 中定义，同一版本只能有一个文件"
            )
            errors.append(CatalogueError(file_name, f"{item.code} {item.name}", [problem]))
        seen.setdefault(key, file_name)
    return errors


def _raise_all(errors: list[CatalogueError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        problems = [
            f"{error.path}（事项 {error.item}）：{problem}"
            for error in errors
            for problem in error.problems
        ]
        raise CatalogueError(", ".join(error.path for error in errors), "多个事项", problems)


def _catalogue_of(sources: list[_Source]) -> Catalogue:
    loaded, errors = _load_all(sources)
    _raise_all(errors + _duplicate_errors(loaded))
    return Catalogue(item for _, item in loaded)


def _load_directory(directory: Traversable) -> Catalogue:
    return _catalogue_of(_read_sources(directory))


def _builtin_directory() -> Traversable:
    folder = Path(__file__).with_name("items")
    if folder.is_dir():
        return folder
    from importlib import resources  # a package that is no folder (a zip file)

    return resources.files("forms") / "items"


def load_catalogue(directory: str | Path | Traversable) -> Catalogue:
    """Every ``*.toml`` item file in ``directory``; raises one :class:`CatalogueError`
    that lists the problems of every broken file."""
    return _load_directory(Path(directory) if isinstance(directory, str) else directory)


@functools.cache
def builtin_catalogue() -> Catalogue:
    """The catalogue shipped with the package (``forms/items``), loaded once."""
    return _load_directory(_builtin_directory())


def merged_catalogue(base: Catalogue, directory: str | Path) -> Catalogue:
    """``base`` with the item files of ``directory`` laid over it, version by version.

    Every version of ``base`` stays (a case keeps the version it was filed under); a file
    of the same code and version replaces that version. A missing directory adds nothing.
    """
    folder = Path(directory)
    if not folder.is_dir() or not any(folder.glob("*.toml")):
        return base
    published = load_catalogue(folder)
    return Catalogue([*_every_version(base), *_every_version(published)])


def _every_version(catalogue: Catalogue) -> list[ServiceItem]:
    return [catalogue.get(item.code, version)
            for item in catalogue.items() for version in catalogue.versions(item.code)]


_PARSING_CODE = (schema, validators, checksums)
"""The modules whose code makes an item from its file: a change to them parses afresh."""


def station_catalogue(published: str | Path, cache_file: Path | None = None) -> Catalogue:
    """``merged_catalogue(builtin_catalogue(), published)``, parsed once for each state of its files.

    ``cache_file`` keeps the parsed items between runs, taken again only while every item
    file (built-in and published) and the parsing code are byte for byte the same
    (:mod:`forms.parsed_cache`); ``None`` parses every time. A broken file raises the same
    :class:`CatalogueError` either way, and nothing is cached.
    """
    builtin = _read_sources(_builtin_directory())
    folder = Path(published)
    extra = _read_sources(folder) if folder.is_dir() else []
    code = _parsing_code()
    parts = [*code, *_tagged(b"builtin", builtin), *_tagged(b"published", extra)]
    items = cached(cache_file if code else None, parts, lambda: _merged_items(builtin, extra), _is_item_list)
    return Catalogue(items)


def _parsing_code() -> list[bytes]:
    """The source of the parsing modules; empty when one cannot be read (then nothing is cached)."""
    try:
        return [Path(module.__file__ or "").read_bytes() for module in _PARSING_CODE]
    except OSError:
        return []


def _tagged(tag: bytes, sources: list[_Source]) -> list[bytes]:
    return [part for source in sources for part in (tag, source.name.encode("utf-8"), source.data)]


def _merged_items(builtin: list[_Source], published: list[_Source]) -> list[ServiceItem]:
    """Every version of the built-in items, then of the published ones (a later one replaces its twin)."""
    items = _every_version(_catalogue_of(builtin))
    return items + _every_version(_catalogue_of(published)) if published else items


def _is_item_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, ServiceItem) for item in value)
