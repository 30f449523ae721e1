"""Hypothesis strategies for blueprints, for property tests of tools built on servicebp.

Every strategy generates *valid* values: steps the model accepts and
blueprints without whole-blueprint problems (every stage used, no cycle
in time among customer actions, every customer step reachable from an
entry, branch probabilities out of a step summing to at most 1). Labels
are any Unicode text, Chinese included.

Examples
--------
>>> from hypothesis import given, settings
>>> import servicebp
>>> @settings(max_examples=20, database=None)
... @given(blueprints())
... def test_round_trip(bp):
...     assert servicebp.loads(servicebp.dumps(bp)) == bp
>>> test_round_trip()
"""

from __future__ import annotations

import functools
from typing import Any

from hypothesis import strategies as st

from servicebp.model import (
    Behaviour,
    Blueprint,
    ContactMode,
    Expectation,
    ExpectationSource,
    ExpectationType,
    FailPoint,
    Flow,
    FlowKind,
    Lane,
    LintConfig,
    MomentKind,
    MomentOfTruth,
    Persona,
    PersonaValues,
    Stage,
    Step,
    Wait,
)

__all__ = [
    "blueprints",
    "expectations",
    "fail_points",
    "flows",
    "identifiers",
    "labels",
    "moments",
    "persona_values",
    "personas",
    "steps",
    "waits",
]

#: Words from the MOT training material's industries, so that Chinese text turns up often.
_CHINESE = (
    "开户申请",
    "身份核验",
    "领取银行卡",
    "回访",
    "点餐",
    "上菜",
    "结账",
    "办理入住",
    "退房",
    "上车",
    "投诉",
    "关键时刻",
)
_ID_ALPHABET = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:开户核验卡"
)
# Text the model accepts: no control characters except newline and tab, no lone surrogates.
_TEXT_CHARACTERS = st.characters(
    exclude_categories=("Cc", "Cs"),
    include_characters="\n\t",
)


@functools.cache
def identifiers() -> st.SearchStrategy[str]:
    """Step and stage ids: short, no white space.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(identifiers(), lambda text: len(text) > 2)
    '000'
    """
    return st.text(_ID_ALPHABET, min_size=1, max_size=8)


@functools.cache
def labels(*, multiline: bool = True) -> st.SearchStrategy[str]:
    """Any Unicode text the model accepts as a label (Chinese often).

    Examples
    --------
    >>> from hypothesis import find
    >>> find(labels(), lambda text: any("一" <= char <= "鿿" for char in text))
    '开户申请'
    """
    alphabet = (
        _TEXT_CHARACTERS
        if multiline
        else st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
    )
    free = st.text(alphabet, min_size=1, max_size=20)
    chinese = st.sampled_from(_CHINESE)
    return st.one_of(chinese, free, st.builds("{} {}".format, chinese, free)).filter(
        lambda text: bool(text.strip())
    )


@functools.cache
def _minutes() -> st.SearchStrategy[float]:
    return st.one_of(
        st.integers(min_value=0, max_value=600),
        st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
    )


@functools.cache
def _probabilities() -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([0, 1, 0.5]), st.floats(min_value=0, max_value=1))


@functools.cache
def waits() -> st.SearchStrategy[Wait]:
    """Waits, with or without a tolerable wait."""
    return st.builds(Wait, duration=_minutes(), tolerance=st.none() | _minutes())


@functools.cache
def fail_points() -> st.SearchStrategy[FailPoint]:
    """Fail points, with or without recovery and probability."""
    return st.builds(
        FailPoint,
        what=labels(),
        recovery=st.none() | labels(),
        probability=st.none() | _probabilities(),
    )


@functools.cache
def expectations() -> st.SearchStrategy[Expectation]:
    """Customer expectations, explicit or latent, with or without a source."""
    return st.builds(
        Expectation,
        text=labels(),
        type=st.sampled_from(ExpectationType),
        source=st.none() | st.sampled_from(ExpectationSource),
    )


@functools.cache
def moments() -> st.SearchStrategy[MomentOfTruth]:
    """Moment-of-truth tags, with any subset of Explore/Offer/Action/Confirm."""
    return st.builds(
        MomentOfTruth,
        kind=st.sampled_from(MomentKind),
        contact_mode=st.none() | st.sampled_from(ContactMode),
        weight=st.one_of(
            st.just(1.0),
            st.floats(min_value=0.01, max_value=100, allow_nan=False),
            st.integers(min_value=1, max_value=10),
        ),
        expectations=st.lists(expectations(), max_size=2).map(tuple),
        behaviours=st.lists(st.sampled_from(Behaviour), unique=True).map(tuple),
    )


@functools.cache
def personas() -> st.SearchStrategy[Persona]:
    """Personas, with or without a description (ids not unique across draws)."""
    return st.builds(Persona, id=identifiers(), label=labels(), description=st.none() | labels())


@functools.cache
def persona_values(*, moment: bool = True) -> st.SearchStrategy[PersonaValues]:
    """What one persona sees differently at a customer step; a weight only if *moment*."""
    weight = st.none() | st.floats(min_value=0.01, max_value=100) if moment else st.none()
    return st.builds(
        PersonaValues,
        rating=st.none() | st.integers(-3, 3) | st.floats(min_value=-3, max_value=3),
        weight=weight,
        wait=st.none() | waits(),
    )


@functools.cache
def _attributes() -> st.SearchStrategy[dict[str, Any]]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        labels(),
    )
    values = st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(labels(), inner, max_size=3)
        ),
        max_leaves=5,
    )
    return st.dictionaries(labels(), values, max_size=3)


@functools.cache
def flows(
    sources: st.SearchStrategy[str] | None = None, targets: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[Flow]:
    """Flow values between two different ids (not checked against any blueprint).

    Examples
    --------
    >>> from hypothesis import find
    >>> find(flows(st.just("a"), st.just("b")), lambda flow: flow.kind == "support")
    Flow(source='a', target='b', kind=<FlowKind.SUPPORT: 'support'>, label=None, probability=None)
    """
    return st.builds(
        Flow,
        source=sources if sources is not None else identifiers(),
        target=targets if targets is not None else identifiers(),
        kind=st.sampled_from(FlowKind),
        label=st.none() | labels(),
        probability=st.none() | _probabilities(),
    ).filter(lambda flow: flow.source != flow.target)


_OPTIONAL = st.booleans()
_ACTORS = st.none() | labels(multiline=False)
_EVIDENCE = st.lists(labels(), max_size=2)
_ONE_IN_FIVE = st.integers(0, 4)
_CHANNELS = st.none() | st.sampled_from(["branch", "phone", "app", "电话"])
_RATINGS = st.one_of(st.integers(-3, 3), st.floats(min_value=-3, max_value=3))


@st.composite
def steps(
    draw: st.DrawFn,
    *,
    id: str | None = None,
    stage: str | None = None,
    lane: Lane | str | None = None,
    persona_ids: tuple[str, ...] = (),
) -> Step:
    """Valid steps; fix *id*, *stage* or *lane* to control them.

    Moments of truth and ratings are put on customer actions only, where
    they always make sense; so are the per-persona values, for some of
    *persona_ids*.

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(steps(lane="backstage"))
    ... def check(step):
    ...     assert step.lane is Lane.BACKSTAGE and step.moment is None
    >>> check()
    """
    chosen_lane = Lane(lane) if lane is not None else draw(st.sampled_from(Lane))
    customer = chosen_lane is Lane.CUSTOMER
    optional = _OPTIONAL
    step = Step(
        id=id if id is not None else draw(identifiers()),
        label=draw(labels()),
        lane=chosen_lane,
        stage=stage if stage is not None else draw(identifiers()),
        channel=draw(_CHANNELS),
        actor=draw(_ACTORS),
        duration=draw(_minutes()) if draw(optional) else None,
        standard=draw(_minutes()) if draw(optional) else None,
        wait=draw(waits()) if customer and draw(optional) else None,
        cost=draw(_minutes()) if draw(optional) else None,
        fail_point=draw(fail_points()) if draw(optional) else None,
        evidence=tuple(draw(_EVIDENCE)),
        moment=draw(moments()) if customer and draw(optional) else None,
        rating=(draw(_RATINGS) if customer and draw(optional) else None),
        attributes=draw(_attributes()) if draw(_ONE_IN_FIVE) == 0 else {},
    )
    if not (customer and persona_ids):
        # Drawn last, so that steps without personas are drawn as they always were.
        return step
    chosen = draw(st.lists(st.sampled_from(persona_ids), unique=True))
    values = persona_values(moment=step.is_moment)
    return step.evolve(per_persona={key: draw(values) for key in chosen})


_DESCRIPTIONS = st.none() | labels()
_SCENARIOS = st.none() | st.sampled_from(["as-is", "to-be"]) | labels(multiline=False)


def _persona_id(persona: Persona) -> str:
    return persona.id


_KINDS = st.sampled_from(FlowKind)
_LINTS = st.just(LintConfig()) | st.builds(
    LintConfig,
    select=st.none() | st.lists(st.sampled_from(["SBP", "SBP001", "SBP00"]), max_size=2),
    ignore=st.lists(st.sampled_from(["SBP002", "SBP00"]), max_size=2),
)


@functools.cache
def _pairs(count: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    index = st.integers(0, count - 1)
    return st.lists(
        st.tuples(index, index).filter(lambda pair: pair[0] != pair[1]), max_size=2 * count
    )


@st.composite
def blueprints(
    draw: st.DrawFn, *, max_steps: int = 10, max_stages: int = 4, max_personas: int = 0
) -> Blueprint:
    """Valid blueprints: every stage used, customer actions a forward journey.

    Flows are drawn between earlier and later steps (so nothing cycles),
    sequence and support kinds mixed, with branch probabilities out of a
    step that sum to at most 1.

    Parameters
    ----------
    max_steps : int
        The most steps a blueprint has (at least one per stage).
    max_stages : int
        The most stages a blueprint has (at least one).

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(blueprints())
    ... def check(bp):
    ...     assert bp.problems() == []
    >>> check()
    """
    stage_count = draw(st.integers(min_value=1, max_value=max(1, min(max_stages, max_steps))))
    stages = draw(st.lists(identifiers(), min_size=stage_count, max_size=stage_count, unique=True))
    step_count = draw(st.integers(min_value=stage_count, max_value=max(stage_count, max_steps)))
    ids = draw(st.lists(identifiers(), min_size=step_count, max_size=step_count, unique=True))
    extra = draw(
        st.lists(st.sampled_from(stages), min_size=step_count - stage_count, max_size=step_count)
    )[: step_count - stage_count]
    stage_of = draw(st.permutations([*stages, *extra]))

    # Some stages get a display label of their own (any text); every name stays unique.
    names = set(stages)
    labelled = []
    for stage in stages:
        label = draw(st.one_of(st.just(stage), labels(multiline=False)))
        if label != stage and label in names:
            label = stage
        names.add(label)
        labelled.append(Stage(id=stage, label=label))
    declared = draw(st.lists(personas(), max_size=max_personas, unique_by=_persona_id))
    bp = Blueprint(
        draw(labels(multiline=False)),
        stages=labelled,
        description=draw(_DESCRIPTIONS),
        lint=draw(_LINTS),
        personas=declared,
        scenario=draw(_SCENARIOS) if max_personas else None,
    )
    persona_ids = tuple(p.id for p in bp.personas)
    for step_id, stage in zip(ids, stage_of, strict=True):
        bp.add_step(draw(steps(id=step_id, stage=stage, persona_ids=persona_ids)))

    if step_count > 1:
        pairs = draw(
            st.lists(
                st.tuples(st.integers(0, step_count - 1), st.integers(0, step_count - 1)).filter(
                    lambda pair: pair[0] != pair[1]
                ),
                max_size=2 * step_count,
            )
        )
        budget: dict[tuple[str, FlowKind], int] = {}
        for a, b in pairs:
            source, target = ids[min(a, b)], ids[max(a, b)]
            if bp.graph.has_edge(source, target):
                continue
            kind = draw(_KINDS)
            left = budget.get((source, kind), 20)
            probability = None
            if left and draw(st.booleans()):
                twentieths = draw(st.integers(0, left))
                budget[(source, kind)] = left - twentieths
                probability = twentieths / 20
            bp.add_flow(
                Flow(
                    source=source,
                    target=target,
                    kind=kind,
                    label=draw(_DESCRIPTIONS),
                    probability=probability,
                )
            )
    return bp
