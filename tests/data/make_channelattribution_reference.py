"""Produce tests/data/channelattribution_reference.json: ChannelAttribution's outputs.

Run with the ``peer`` extra installed (``pip install 'servicebp[peer]'``):

    python tests/data/make_channelattribution_reference.py

The journeys come from :func:`synthetic_journeys` (seeded numpy), so the test
suite regenerates the identical data and compares servicebp's exact removal
effects with the stored simulated ones when ChannelAttribution is absent.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20240506
JOURNEYS = 100_000
TOUCHPOINTS = 20
#: ChannelAttribution's simulation settings used for the reference.
CA_SETTINGS: dict[str, Any] = {
    "order": 1,
    "nsim_start": 1_000_000,
    "max_step": 200,
    "seed": 0,
    "conv_par": 0.05,
}
OUTPUT = Path(__file__).with_name("channelattribution_reference.json")


def synthetic_journeys(
    journeys: int = JOURNEYS, touchpoints: int = TOUCHPOINTS, seed: int = SEED
) -> tuple[list[str], np.ndarray]:
    """Seeded journeys: paths as ``"t01 > t07"`` strings and 0/1 conversions.

    Touchpoint *i* is met with probability proportional to ``i + 1`` and adds
    ``0.012 * i`` to the conversion probability, so removal effects differ.
    """
    rng = np.random.default_rng(seed)
    names = np.array([f"t{i:02d}" for i in range(touchpoints)])
    weights = np.arange(1, touchpoints + 1, dtype=float)
    lengths = rng.geometric(0.3, journeys)
    flat = rng.choice(touchpoints, size=int(lengths.sum()), p=weights / weights.sum())
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    lift = 0.012 * np.arange(touchpoints)
    paths: list[str] = []
    chance = np.empty(journeys)
    for j in range(journeys):
        touched = flat[bounds[j] : bounds[j + 1]]
        paths.append(" > ".join(names[touched]))
        chance[j] = 0.02 + lift[np.unique(touched)].sum()
    converted = (rng.random(journeys) < np.minimum(chance, 0.95)).astype(np.int64)
    return paths, converted


def aggregated(paths: list[str], converted: np.ndarray) -> Any:
    """The paths as ChannelAttribution wants them: one row per distinct path."""
    import pandas as pd

    frame = pd.DataFrame({"path": paths, "conv": converted, "null": 1 - converted})
    return frame.groupby("path", as_index=False, sort=True)[["conv", "null"]].sum()


def run_channelattribution(frame: Any) -> dict[str, float]:
    """ChannelAttribution's simulated removal effects, touchpoint to effect."""
    import ChannelAttribution

    with contextlib.redirect_stdout(io.StringIO()):
        result = ChannelAttribution.markov_model(
            frame,
            "path",
            "conv",
            var_null="null",
            out_more=True,
            verbose=False,
            flg_pro=False,
            **CA_SETTINGS,
        )
    effects = result["removal_effects"]
    return {str(k): float(v) for k, v in zip(effects.iloc[:, 0], effects.iloc[:, 1], strict=False)}


#: The four-path example of tests/discovery/test_discover.py (exact removal effect of c1: 1/3).
FOUR_PATHS = {
    "path": ["c1 > c2 > c3", "c1", "c2 > c3", "c3"],
    "conv": [1, 0, 0, 1],
    "null": [0, 1, 1, 0],
}


def four_path_example() -> dict[str, float]:
    """ChannelAttribution's removal effects on the four paths, default settings."""
    import ChannelAttribution
    import pandas as pd

    with contextlib.redirect_stdout(io.StringIO()):
        result = ChannelAttribution.markov_model(
            pd.DataFrame(FOUR_PATHS),
            "path",
            "conv",
            var_null="null",
            out_more=True,
            verbose=False,
            flg_pro=False,
        )
    effects = result["removal_effects"]
    return {str(k): float(v) for k, v in zip(effects.iloc[:, 0], effects.iloc[:, 1], strict=False)}


def main() -> None:
    import ChannelAttribution

    paths, converted = synthetic_journeys()
    effects = run_channelattribution(aggregated(paths, converted))
    record = {
        "produced_by": "tests/data/make_channelattribution_reference.py",
        "channelattribution_version": getattr(ChannelAttribution, "__version__", "2.2.5"),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "seed": SEED,
        "journeys": JOURNEYS,
        "touchpoints": TOUCHPOINTS,
        "settings": CA_SETTINGS,
        "removal_effects": dict(sorted(effects.items())),
        "four_path_example": {"settings": "defaults", "removal_effects": four_path_example()},
    }
    OUTPUT.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
