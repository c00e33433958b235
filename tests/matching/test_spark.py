"""The Spark engine gives exactly the in-process engine's links on the same data."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from vinculo.demo import generate
from vinculo.matching.files import load_profiles
from vinculo.matching.model import Model
from vinculo.matching.profile import Profile
from vinculo.matching.xref import link

pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Profile]]:
    directory = tmp_path_factory.mktemp("scenario")
    generate(directory, seed=3, scale=2500)
    with (directory / "agencies.csv").open(encoding="utf-8", newline="") as fh:
        agencies = list(csv.DictReader(fh))
    profiles: list[Profile] = []
    for agency in agencies:
        path = directory / agency["code"] / "people.csv"
        profiles.extend(
            load_profiles(path, agency["code"], agency["country"], f"{agency['code']}/").profiles
        )
    yield profiles
    from vinculo.matching.spark import spark_session

    spark_session("local[2]").stop()


@pytest.mark.slow
def test_spark_and_in_process_give_identical_links(people: list[Profile]) -> None:
    model = Model.load()
    _, local = link(model, people, max_block=4)
    _, distributed = link(model, people, max_block=4, engine="spark")
    assert len(local.pairs) > 1000  # a real amount of work, not an empty comparison
    assert np.array_equal(distributed.pairs, local.pairs)
    assert np.array_equal(distributed.codes, local.codes)
    assert np.array_equal(distributed.scores, local.scores)
    assert distributed.oversized_keys == local.oversized_keys
    assert local.oversized_keys  # the cut-off was exercised too
    # Linking two halves: the same, across sides.
    half = len(people) // 2
    _, local_link = link(model, people[:half], people[half:])
    _, spark_link = link(model, people[:half], people[half:], engine="spark")
    assert np.array_equal(spark_link.pairs, local_link.pairs)
    assert np.array_equal(spark_link.scores, local_link.scores)
    assert int((local_link.scores >= model.match_threshold).sum()) > 0


@pytest.mark.slow
def test_spark_and_in_process_agree_with_em_and_loose_keys(people: list[Profile]) -> None:
    """With EM (files unlike the training data) both engines add the loose keys, re-estimate on
    the other keys' candidates only and adjust for name frequencies: the same links."""
    model = Model.load()
    fitted_local, local = link(model, people, max_block=6, em=True)
    fitted_spark, distributed = link(model, people, max_block=6, em=True, engine="spark")
    _, without = link(model, people, max_block=6)
    assert len(local.pairs) > len(without.pairs)  # the loose keys added candidates
    assert np.array_equal(distributed.pairs, local.pairs)
    assert np.array_equal(distributed.codes, local.codes)
    assert fitted_spark.m == fitted_local.m and fitted_spark.prior == fitted_local.prior
    assert np.array_equal(distributed.scores, local.scores)
    assert local.adjustments is not None and distributed.adjustments is not None
    assert np.array_equal(distributed.adjustments, local.adjustments)
    assert distributed.oversized_keys == local.oversized_keys


def test_unknown_engine_is_refused(people: list[Profile]) -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        link(Model.load(), people[:10], engine="hadoop")


def test_xref_files_on_spark(tmp_path: Path) -> None:
    import subprocess
    import sys

    one = tmp_path / "one.csv"
    one.write_text(
        "id,name,birth_date\n"
        "A,Rosa Elena Vargas Pinto,1966-06-06\n"
        "B,ROSA ELENA VARGAS PINTO,06/06/1966\n",
        encoding="utf-8",
    )
    out = tmp_path / "links.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "vinculo.cli",
            "xref-files",
            str(one),
            "-o",
            str(out),
            "--no-em",
            "--engine",
            "spark",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"VINCULO_SPARK_MASTER": "local[1]", **__import__("os").environ},
    )
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "left_id,right_id,score" and rows[1].startswith("A,B,")
