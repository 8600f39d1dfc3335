from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reports.scenario import Casebook, november


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Casebook]:
    casebook = Casebook(tmp_path_factory.mktemp("november"))
    casebook.cases = november(casebook)  # type: ignore[attr-defined]
    yield casebook
    casebook.close()


@pytest.fixture(scope="module")
def cases(book: Casebook) -> dict[str, str]:
    return book.cases  # type: ignore[attr-defined,no-any-return]
