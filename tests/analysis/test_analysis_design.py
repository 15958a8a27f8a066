"""DesignInfo and the labels that make reports readable."""

from __future__ import annotations

import numpy as np
import pytest

from crisislab.analysis import DesignInfo, default_label


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("actors.KH.control", "KH control"),
        ("actors.USA.assumed_control.KH", "US-assumed control of KH"),
        ("actors.IRN.perceived_resolve.USA", "IRN-perceived resolve of USA"),
        ("actors.USA.doctrine", "US doctrine"),
        ("actors.USA.type_prior", "US type prior"),
        ("perception.noise_sd", "perception noise sd"),
        ("channel.kind", "channel kind"),
        ("days", "days"),
    ],
)
def test_default_label_reads_like_words(path: str, label: str) -> None:
    assert default_label(path) == label


def test_given_labels_win_over_the_default() -> None:
    design = DesignInfo(
        levers=[], uncertainties=["actors.KH.control"], labels={"actors.KH.control": "KH grip"}
    )
    assert design.label("actors.KH.control") == "KH grip"
    assert design.label("actors.USA.assumed_control.KH") == "US-assumed control of KH"


def test_unit_matrix_must_match_the_uncertainties() -> None:
    with pytest.raises(ValueError, match="shape"):
        DesignInfo(levers=[], uncertainties=["a", "b"], unit=np.zeros((4, 3)))
    design = DesignInfo(levers=[], uncertainties=["a", "b"], unit=[[0, 1], [1, 0]])
    assert design.unit.dtype == float and design.n_samples == 2


def test_unknown_sampler_is_refused() -> None:
    with pytest.raises(ValueError, match="sampler"):
        DesignInfo(levers=[], uncertainties=["a"], sampler="grid")


def test_design_is_frozen() -> None:
    design = DesignInfo(levers=[], uncertainties=["a"])
    with pytest.raises(AttributeError):
        design.sampler = "sobol"  # type: ignore[misc]


def test_docstring_examples_run() -> None:
    import doctest

    from crisislab.analysis import design

    failures, tried = doctest.testmod(design)
    assert tried > 0 and failures == 0
