"""A served AInema site per test module, for the center and console tests."""

from collections.abc import Iterator

import pytest
from web_kit import Site, ainema_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app over a small AInema database, with staff of each role and a hand-moved clock."""
    with ainema_site(tmp_path_factory.mktemp("site")) as served:
        yield served
