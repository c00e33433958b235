from __future__ import annotations

from pathlib import Path

import pytest

from vinculo.demo import Manifest, generate

SCALE = 3000


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("scenario")
    return out, generate(out, seed=7, scale=SCALE)
