"""The Spark path, proven: score_observed, step_statistics, discovery and conformance on PySpark.

One small module, marked ``spark``: a local[1] session (Java 17) and a few
thousand events. It runs where PySpark is installed (``pip install
'servicebp[spark]'``); ``pytest -m spark`` runs it alone, ``-m "not spark"``
leaves it out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from servicebp import ObservedDataError, conformance, score_observed, step_statistics
from tests.observed.test_backends import STEPS, shop

pyspark = pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.spark,
    # PySpark's own notice about pandas 3, raised when it collects rows; not ours to fix.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("servicebp-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def _events(n_journeys: int = 600, seed: int = 7) -> dict[str, np.ndarray[Any, Any]]:
    rng = np.random.default_rng(seed)
    rows: dict[str, list[Any]] = {"journey": [], "step": [], "order": [], "rating": [], "won": []}
    for j in range(n_journeys):
        n = int(rng.integers(1, 8))
        won = int(rng.integers(0, 2))
        for k in range(n):
            rows["journey"].append(f"j{j:04d}")
            rows["step"].append(STEPS[int(rng.integers(0, len(STEPS)))])
            rows["order"].append(k)
            rows["rating"].append(float(rng.choice([-3, -2, -1, 0, 0.5, 1, 2, 3])))
            rows["won"].append(won)
    return {k: np.array(v) for k, v in rows.items()}


def _frame(spark: Any, events: dict[str, np.ndarray[Any, Any]]) -> Any:
    rows = list(zip(*(v.tolist() for v in events.values()), strict=True))
    return spark.createDataFrame(rows, schema=list(events))


def test_spark_scores_as_numpy(spark: Any) -> None:
    events = _events()
    frame = _frame(spark, events)
    bp = shop()
    expected = score_observed(bp, events, outcome="won")
    found = score_observed(bp, frame, outcome="won", output="numpy")
    assert {k: np.asarray(v).tolist() for k, v in found.items()} == {
        k: np.asarray(v).tolist() for k, v in expected.items()
    }
    same = score_observed(bp, frame, strategies="last")
    assert type(same).__name__ == "DataFrame"
    assert hasattr(same, "sparkSession")
    assert sorted(r["last"] for r in same.collect()) == sorted(expected["last"].tolist())
    stats = step_statistics(bp, frame, output="numpy")
    np.testing.assert_equal(stats, step_statistics(bp, events))
    log = conformance(bp, frame, case="journey", activity="step", timestamp="order")
    assert (
        log.edges
        == conformance(bp, events, case="journey", activity="step", timestamp="order").edges
    )


def test_spark_bad_input_is_named(spark: Any) -> None:
    import pandas as pd

    events = _events(5)
    events["rating"][2] = 9.0
    with pytest.raises(ObservedDataError, match=r"column 'rating': 9.0 is not on the MOT scale"):
        score_observed(shop(), spark.createDataFrame(pd.DataFrame(events)))
