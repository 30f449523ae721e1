"""Relative weights against a published peer computation (R's rwa on the mtcars data)."""

from __future__ import annotations

import numpy as np
import pytest

from servicebp import key_drivers

#: Motor Trend's 32 cars of 1973–74 (R's ``datasets::mtcars``; Henderson & Velleman 1981,
#: *Building multiple regression models interactively*, Biometrics 37, 391–411):
#: miles per gallon, cylinders, displacement (cu. in.), gross horsepower, weight (1000 lb).
MTCARS = [
    (21.0, 6, 160.0, 110, 2.62), (21.0, 6, 160.0, 110, 2.875), (22.8, 4, 108.0, 93, 2.32),
    (21.4, 6, 258.0, 110, 3.215), (18.7, 8, 360.0, 175, 3.44), (18.1, 6, 225.0, 105, 3.46),
    (14.3, 8, 360.0, 245, 3.57), (24.4, 4, 146.7, 62, 3.19), (22.8, 4, 140.8, 95, 3.15),
    (19.2, 6, 167.6, 123, 3.44), (17.8, 6, 167.6, 123, 3.44), (16.4, 8, 275.8, 180, 4.07),
    (17.3, 8, 275.8, 180, 3.73), (15.2, 8, 275.8, 180, 3.78), (10.4, 8, 472.0, 205, 5.25),
    (10.4, 8, 460.0, 215, 5.424), (14.7, 8, 440.0, 230, 5.345), (32.4, 4, 78.7, 66, 2.2),
    (30.4, 4, 75.7, 52, 1.615), (33.9, 4, 71.1, 65, 1.835), (21.5, 4, 120.1, 97, 2.465),
    (15.5, 8, 318.0, 150, 3.52), (15.2, 8, 304.0, 150, 3.435), (13.3, 8, 350.0, 245, 3.84),
    (19.2, 8, 400.0, 175, 3.845), (27.3, 4, 79.0, 66, 1.935), (26.0, 4, 120.3, 91, 2.14),
    (30.4, 4, 95.1, 113, 1.513), (15.8, 8, 351.0, 264, 3.17), (19.7, 6, 145.0, 175, 2.77),
    (15.0, 8, 301.0, 335, 3.57), (21.4, 4, 121.0, 109, 2.78),
]  # fmt: skip


def test_relative_weights_reproduce_the_rwa_package_on_mtcars() -> None:
    # Peer computation: R's rwa package (Martin Chan), vignette "Regression Methods:
    # Multiple and Logistic RWA", rwa_multiregress(mtcars, "mpg", c("cyl", "disp",
    # "hp", "wt")), which implements Johnson (2000, Multivariate Behavioral Research
    # 35(1):1–19) after Tonidandel & LeBreton's RWA-Web. Its printed raw relative
    # weights (7 decimals), and R² = their sum = lm(mpg ~ cyl + disp + hp + wt)'s
    # 0.8486 (Multiple R-squared in R's summary):
    published = {"cyl": 0.2096904, "disp": 0.1883043, "hp": 0.1799590, "wt": 0.2706812}
    rescaled = {"cyl": 24.70914, "disp": 22.18908, "hp": 21.20570, "wt": 31.89607}
    data = np.array(MTCARS)
    assert data.shape == (32, 5)
    assert data[:, 0].mean() == pytest.approx(20.090625)  # mean(mtcars$mpg)
    ratings = {name: data[:, k] for k, name in enumerate(["cyl", "disp", "hp", "wt"], start=1)}
    found = key_drivers(ratings, data[:, 0], method="relative_weights", resamples=0)
    weights = {d.step: d.importance for d in found}
    assert weights == pytest.approx(published, abs=5e-8)
    r_squared = found[0].r_squared
    assert r_squared == pytest.approx(0.8486348, abs=5e-8)
    assert {s: 100 * w / r_squared for s, w in weights.items()} == pytest.approx(rescaled, abs=5e-6)
    # wt ranks first, then cyl, disp, hp, as rwa sorts them.
    assert [d.step for d in found] == ["wt", "cyl", "disp", "hp"]
