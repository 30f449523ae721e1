"""The blueprint model: lanes and lines, steps and flows, mutations, queries, checks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from servicebp import (
    Blueprint,
    BlueprintTypeError,
    BlueprintValidationError,
    DuplicateStepError,
    FailPoint,
    Flow,
    FlowKind,
    Lane,
    Line,
    LintConfig,
    MomentOfTruth,
    Stage,
    Step,
    UnknownStepError,
    Wait,
    dumps,
    lines_between,
    loads,
)
from servicebp.testing._strategies import blueprints, steps
from tests._factories import chain


def step(id: str, lane: str = "customer", stage: str = "apply", **fields: object) -> Step:
    return Step(id=id, label=id.title(), lane=lane, stage=stage, **fields)  # type: ignore[arg-type]


def bank() -> Blueprint:
    """Open an account: apply → (check passes | bring documents) → card, with the work behind."""
    bp = Blueprint("Bank", stages=["apply", "verify", "issue"])
    bp.add_step(step("leaflet", "physical-evidence"))
    bp.add_step(step("apply", moment=MomentOfTruth(kind="first-contact")))
    bp.add_step(step("show-id", stage="verify", wait=Wait(duration=15, tolerance=10)))
    bp.add_step(step("documents", stage="verify"))
    bp.add_step(step("card", stage="issue", moment=MomentOfTruth(kind="usage")))
    bp.add_step(step("teller", "frontstage"))
    bp.add_step(step("kyc", "backstage", stage="verify"))
    bp.add_step(step("core", "support", stage="issue"))
    bp.connect("apply", "show-id")
    bp.connect("show-id", "card", probability=0.8, label="passes")
    bp.connect("show-id", "documents", probability=0.2, label="needs documents")
    bp.connect("documents", "card")
    bp.connect("leaflet", "apply", kind="support")
    bp.connect("apply", "teller", kind="support")
    bp.connect("teller", "kyc", kind="support")
    bp.connect("kyc", "core", kind="support")
    bp.connect("apply", "core", kind="support")
    return bp


# --- lanes and lines ------------------------------------------------------------


def test_lanes_top_to_bottom() -> None:
    assert [lane.position for lane in Lane] == [0, 1, 2, 3, 4]
    assert Lane.SUPPORT.caption == "Support processes"


def test_lines_sit_between_adjacent_lanes() -> None:
    assert [(line.above, line.below) for line in Line] == [
        (Lane.CUSTOMER, Lane.FRONTSTAGE),
        (Lane.FRONTSTAGE, Lane.BACKSTAGE),
        (Lane.BACKSTAGE, Lane.SUPPORT),
    ]
    assert Line.INTERNAL_INTERACTION.caption == "line of internal interaction"


@pytest.mark.parametrize(
    ("a", "b", "crossed"),
    [
        ("customer", "frontstage", ["interaction"]),
        ("frontstage", "customer", ["interaction"]),
        ("customer", "support", ["interaction", "visibility", "internal-interaction"]),
        ("backstage", "frontstage", ["visibility"]),
        ("physical-evidence", "customer", []),
        ("support", "support", []),
    ],
)
def test_lines_between(a: str, b: str, crossed: list[str]) -> None:
    assert [line.value for line in lines_between(a, b)] == crossed


def test_unknown_lane_names_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="front") as caught:
        Lane("front")
    assert "frontstage" in str(caught.value)


# --- steps and flows as values ---------------------------------------------------------


def test_step_repr_shows_what_is_set() -> None:
    assert repr(step("apply", duration=5)) == (
        "Step(id='apply', label='Apply', lane=<Lane.CUSTOMER: 'customer'>, stage='apply', "
        "duration=5)"
    )


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"id": "a b"}, "white space"),
        ({"id": ""}, "must not be empty"),
        ({"label": "   "}, "must not be empty"),
        ({"label": 3}, "must be a string"),
        ({"duration": -1}, "must not be negative"),
        ({"cost": float("nan")}, "finite"),
        ({"rating": 4}, r"rating 4.0 is not on the MOT scale -3…\+3"),
        ({"rating": True}, "must be a number"),
    ],
)
def test_step_refuses_bad_fields(fields: dict[str, object], fragment: str) -> None:
    values: dict[str, object] = {"id": "a", "label": "A", "lane": "customer", "stage": "s"}
    values.update(fields)
    with pytest.raises((TypeError, ValueError), match=fragment):
        Step(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("attributes", "path", "fragment"),
    [
        ({"a": object()}, "attributes.a", "attributes hold JSON data only"),
        ({"a": float("nan")}, "attributes.a", "nan cannot be saved: numbers must be finite"),
        ({"a": [1, {"b": float("inf")}]}, "attributes.a[1].b", "numbers must be finite"),
        ({"a": {"when": {1, 2}}}, "attributes.a.when", "set ({1, 2}) cannot be saved"),
        ({"a": {3: "x"}}, "attributes.a", "the key 3 is not text"),
    ],
)
def test_step_attributes_hold_json_data_only(
    attributes: dict[str, object], path: str, fragment: str
) -> None:
    with pytest.raises(BlueprintValidationError) as caught:
        step("a", attributes=attributes)
    (problem,) = caught.value.problems
    assert problem.path == path
    assert fragment in problem.message
    bp = bank()
    with pytest.raises(BlueprintValidationError, match=re.escape(fragment)):
        bp.replace_step(bp["apply"].evolve(attributes=attributes))
    assert bp["apply"].attributes == {}


def test_step_attribute_keys_must_be_text() -> None:
    with pytest.raises(BlueprintTypeError, match="attributes keys must be strings, not 1"):
        step("a", attributes={1: 2})


def test_json_attributes_are_accepted_and_saved() -> None:
    data = {"a": None, "b": [True, 1, 2.5, "x"], "c": {"d": {"e": []}}, "f": (1, 2)}
    bp = bank()
    bp.replace_step(bp["apply"].evolve(attributes=data))
    assert loads(dumps(bp))["apply"].attributes == {**data, "f": [1, 2]}


def test_wait_over_tolerance() -> None:
    assert Wait(duration=12, tolerance=10).over_tolerance
    assert not Wait(duration=10, tolerance=10).over_tolerance
    assert not Wait(duration=60).over_tolerance


def test_flow_probability_bounds() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Flow(source="a", target="b", probability=1.5)
    assert Flow(source="a", target="b").kind is FlowKind.SEQUENCE


def test_step_evolve_validates() -> None:
    s = step("apply")
    assert s.evolve(rating=2).rating == 2
    with pytest.raises(ValueError, match="must not be negative"):
        s.evolve(duration=-1)


def test_step_flags() -> None:
    s = step("apply", fail_point=FailPoint(what="x"), moment=MomentOfTruth(kind="usage"))
    assert s.is_fail_point
    assert s.is_moment
    assert not step("b").is_moment


# --- building and mutating ----------------------------------------------------------


def test_repr_and_len() -> None:
    bp = bank()
    assert repr(bp) == "Blueprint('Bank', stages=3, steps=8, flows=9)"
    assert len(bp) == 8
    assert "apply" in bp
    assert 3 not in bp
    assert [s.id for s in bp][:2] == ["leaflet", "apply"]


def test_duplicate_step_id() -> None:
    bp = bank()
    with pytest.raises(DuplicateStepError) as caught:
        bp.add_step(step("apply", "backstage"))
    (problem,) = caught.value.problems
    assert (problem.step, problem.field) == ("apply", "id")
    assert len(bp) == 8


def test_step_stage_must_be_listed() -> None:
    bp = bank()
    with pytest.raises(BlueprintValidationError, match="stage 'later' is not one of") as caught:
        bp.add_step(step("x", stage="later"))
    assert "x" not in bp
    # The loader reuses this message: it says how to fix it in code and in a file.
    assert caught.value.problems[0].message == (
        "stage 'later' is not one of the blueprint's stages ['apply', 'verify', 'issue']; "
        "declare it in the blueprint's stages (add_stage() in code, `stages:` in a file)"
    )
    with pytest.raises(BlueprintValidationError) as caught:
        bp.steps(stage="later")
    assert caught.value.problems[0].message == (
        "unknown stage 'later' (stages are ['apply', 'verify', 'issue']); "
        "declare it in the blueprint's stages (add_stage() in code, `stages:` in a file)"
    )


def test_add_step_takes_a_step() -> None:
    with pytest.raises(TypeError, match="takes a Step"):
        bank().add_step({"id": "x"})  # type: ignore[arg-type]


def test_unknown_step() -> None:
    bp = bank()
    with pytest.raises(UnknownStepError, match="unknown step: 'nope'") as caught:
        bp["nope"]
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownStepError):
        bp.connect("apply", "nope")


def test_self_loop_refused() -> None:
    with pytest.raises(BlueprintValidationError, match="from a step to itself"):
        bank().connect("apply", "apply")


def test_second_flow_between_the_same_steps_refused() -> None:
    with pytest.raises(BlueprintValidationError, match="exists already"):
        bank().connect("apply", "show-id", kind="support")


def test_branch_probabilities_may_not_sum_above_1() -> None:
    bp = bank()
    bp.disconnect("show-id", "documents")
    bp.connect("show-id", "documents", probability=0.2)
    bp.add_step(step("call", stage="verify"))
    with pytest.raises(BlueprintValidationError, match=r"would sum to 1\.1, above 1") as caught:
        bp.connect("show-id", "call", probability=0.1)
    assert caught.value.problems[0].step == "show-id"
    assert ("show-id", "call") not in bp.graph.edges
    # Support flows have their own budget.
    bp.connect("show-id", "kyc", kind="support", probability=0.9)


def test_branch_budget_follows_removals_and_copies() -> None:
    # The sum of a step's branch probabilities is kept as flows are added: removing
    # a branch (or its target) must give the budget back, in copies too.
    bp = Blueprint("B", stages=["s"])
    for name in ("root", "a", "b", "c"):
        bp.add_step(step(name, stage="s"))
    bp.connect("root", "a", probability=0.6)
    bp.connect("root", "b", probability=0.4)
    with pytest.raises(BlueprintValidationError, match=r"would sum to 1\.3, above 1"):
        bp.connect("root", "c", probability=0.3)
    bp.disconnect("root", "b")
    bp.connect("root", "c", probability=0.3)
    other = bp.copy()
    bp.remove_step("a")
    bp.connect("root", "b", probability=0.7)
    with pytest.raises(BlueprintValidationError, match=r"would sum to 1\.6, above 1"):
        other.connect("root", "b", probability=0.7)
    other.connect("root", "b", probability=0.1)
    assert sorted(f.probability for f in other.outgoing("root")) == [0.1, 0.3, 0.6]
    # A flow without a probability uses none of the budget.
    bp.add_step(step("d", stage="s"))
    bp.connect("root", "d")
    assert sum(f.probability or 0.0 for f in bp.outgoing("root")) == pytest.approx(1.0)


def test_replace_step_keeps_flows() -> None:
    bp = bank()
    new = bp.replace_step(bp["apply"].evolve(label="Applies online", channel="app"))
    # The mutator echoes what it put in, as every mutator does.
    assert new == bp["apply"]
    assert new.label == "Applies online"
    assert bp["apply"].channel == "app"
    assert [f.target for f in bp.outgoing("apply", kind="sequence")] == ["show-id"]


def test_replace_unknown_step() -> None:
    with pytest.raises(UnknownStepError):
        bank().replace_step(step("nope"))


def test_remove_step_removes_its_flows() -> None:
    bp = bank()
    removed = bp.remove_step("documents")
    assert removed.id == "documents"
    assert "documents" not in bp
    assert len(bp.flows()) == 7
    assert all("documents" not in (f.source, f.target) for f in bp.flows())


def test_disconnect_and_flow() -> None:
    bp = bank()
    flow = bp.flow("show-id", "card")
    assert (flow.label, flow.probability) == ("passes", 0.8)
    assert bp.disconnect("show-id", "card") == flow
    with pytest.raises(BlueprintValidationError, match="no flow to 'card'"):
        bp.flow("show-id", "card")


def test_stages() -> None:
    bp = bank()
    bp.add_stage("learn", before="apply")
    bp.add_stage("follow-up")
    assert bp.stages == ("learn", "apply", "verify", "issue", "follow-up")
    with pytest.raises(BlueprintValidationError, match="listed twice"):
        bp.add_stage("apply")
    with pytest.raises(BlueprintValidationError, match="still used by steps"):
        bp.remove_stage("apply")
    bp.remove_stage("learn")
    with pytest.raises(BlueprintValidationError, match="unknown stage 'learn'"):
        bp.remove_stage("learn")
    # Text with white space is a label; its id is derived from it.
    assert bp.add_stage("Two words") == Stage(id="two-words", label="Two words")
    with pytest.raises(BlueprintValidationError, match="share a name"):
        bp.add_stage(Stage(id="other", label="Two words"))
    with pytest.raises(ValueError, match="white space"):
        Stage(id="two words")


def test_blueprint_name_and_description_checked() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        Blueprint(" ")
    with pytest.raises(TypeError, match="must be a string"):
        Blueprint("A", description=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value", "error", "fragment"),
    [
        ("name", 5, BlueprintTypeError, "name must be a string, not int (5)"),
        ("name", "", BlueprintValidationError, "name must not be empty"),
        ("name", "two\nlines", BlueprintValidationError, "control character"),
        ("description", 3.5, BlueprintTypeError, "description must be a string, not float"),
        ("description", " ", BlueprintValidationError, "description must not be empty"),
        ("lint", ["SBP001"], BlueprintTypeError, "lint must be a LintConfig, not list"),
        ("lint", None, BlueprintTypeError, "lint must be a LintConfig, not NoneType"),
    ],
)
def test_assigning_name_description_or_lint_is_checked(
    field: str, value: object, error: type[Exception], fragment: str
) -> None:
    bp = bank()
    before = (bp.name, bp.description, bp.lint)
    with pytest.raises(error, match=re.escape(fragment)):
        setattr(bp, field, value)
    # A refused assignment leaves the blueprint as it was, so it still saves and loads.
    assert (bp.name, bp.description, bp.lint) == before
    assert loads(dumps(bp)) == bp


def test_assigning_valid_name_description_and_lint() -> None:
    bp = bank()
    bp.name = "开户"
    bp.description = "Open an account.\nTwo lines."
    bp.lint = LintConfig(ignore=["SBP001"])
    assert (bp.name, bp.description, bp.lint.ignore) == (
        "开户",
        "Open an account.\nTwo lines.",
        ("SBP001",),
    )
    assert loads(dumps(bp)) == bp
    bp.description = None
    assert "description" not in dumps(bp)


# --- queries -------------------------------------------------------------------------


def test_steps_by_lane_and_stage() -> None:
    bp = bank()
    assert [s.id for s in bp.steps(lane="customer")] == [
        "apply",
        "show-id",
        "documents",
        "card",
    ]
    assert [s.id for s in bp.steps(stage="verify")] == ["show-id", "documents", "kyc"]
    assert [s.id for s in bp.steps(lane=Lane.SUPPORT, stage="issue")] == ["core"]
    with pytest.raises(BlueprintValidationError, match="unknown stage"):
        bp.steps(stage="nope")


def test_moments_query() -> None:
    bp = bank()
    assert [s.id for s in bp.moments()] == ["apply", "card"]
    assert [s.id for s in bp.moments(kind="usage")] == ["card"]
    assert [s.id for s in bp.moments(stage="apply")] == ["apply"]


def test_flows_by_kind_and_direction() -> None:
    bp = bank()
    assert len(bp.flows(kind="sequence")) == 4
    assert len(bp.flows(kind=FlowKind.SUPPORT)) == 5
    assert {f.target for f in bp.outgoing("show-id")} == {"card", "documents"}
    assert {f.source for f in bp.incoming("card")} == {"show-id", "documents"}
    assert [f.source for f in bp.incoming("core", kind="support")] == ["kyc", "apply"]


def test_customer_spine_in_time_order() -> None:
    assert [s.id for s in bank().customer_spine()] == ["apply", "show-id", "documents", "card"]


def test_spine_orders_unconnected_steps_by_stage_then_insertion() -> None:
    bp = Blueprint("A", stages=["one", "two"])
    bp.add_step(step("late", stage="two"))
    bp.add_step(step("early", stage="one"))
    bp.add_step(step("also-early", stage="one"))
    assert [s.id for s in bp.customer_spine()] == ["early", "also-early", "late"]


def test_entry_and_exit_steps() -> None:
    bp = bank()
    assert [s.id for s in bp.entry_steps()] == ["apply"]
    assert [s.id for s in bp.exit_steps()] == ["card"]


def test_crossings() -> None:
    bp = bank()
    pairs = {line.value: {(f.source, f.target) for f in bp.crossings(line)} for line in Line}
    assert pairs == {
        "interaction": {("apply", "teller"), ("apply", "core")},
        "visibility": {("teller", "kyc"), ("apply", "core")},
        "internal-interaction": {("kyc", "core"), ("apply", "core")},
    }
    assert bp.lines_crossed(bp.flow("leaflet", "apply")) == ()


# --- whole-blueprint checks ------------------------------------------------------------


def test_valid_blueprint_has_no_problems() -> None:
    bp = bank()
    assert bp.problems() == []
    bp.validate()


def test_unused_stage() -> None:
    bp = bank()
    bp.add_stage("follow-up")
    (problem,) = bp.problems()
    assert problem.path == "$.stages[3]"
    assert problem.message == "stage 'follow-up' has no steps; remove it or add steps to it"


def test_customer_loop_without_a_way_out() -> None:
    bp = bank()
    exits = [s.id for s in bp.exit_steps()]
    bp.connect(exits[-1], "apply")
    found = bp.problems()
    assert any("with no way out" in p.message for p in found)
    with pytest.raises(BlueprintValidationError, match="no way out"):
        bp.validate()


def test_a_loop_no_step_leads_into_starts_the_journey() -> None:
    # A loop that no entry leads into: its earliest step is an entry, and the
    # step the loop leads to is reached (no false "not reachable").
    bp = bank()
    bp.add_step(step("loop-a", stage="issue"))
    bp.add_step(step("loop-b", stage="issue"))
    bp.add_step(step("after-loop", stage="issue"))
    bp.connect("loop-a", "loop-b")
    bp.connect("loop-b", "loop-a")
    bp.connect("loop-b", "after-loop")
    assert bp.problems() == []
    assert "loop-a" in [s.id for s in bp.entry_steps()]
    assert ("loop-a", "loop-b") in bp.loops()


def test_a_long_loop_is_one_short_problem() -> None:
    bp = chain(50, name="Ring", back=(49, 1))
    (problem,) = bp.problems()
    assert problem.step == "s1"
    assert "loop through s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, … (39 more steps) with" in (
        problem.message
    )


def test_a_cycle_behind_the_line_is_fine() -> None:
    bp = bank()
    bp.connect("core", "teller", kind="support")
    assert bp.problems() == []


# --- equality, copies, views ---------------------------------------------------------


def test_equality() -> None:
    assert bank() == bank()
    other = bank()
    other.replace_step(other["card"].evolve(rating=1))
    assert other != bank()
    assert bank() != "Bank"
    with pytest.raises(TypeError):
        hash(bank())


def test_equality_ignores_flow_order() -> None:
    a, b = bank(), bank()
    b.disconnect("apply", "show-id")
    b.connect("apply", "show-id")
    assert a == b


def test_lint_config_and_description_count_in_equality() -> None:
    assert Blueprint("A", lint=LintConfig(ignore=["SBP001"])) != Blueprint("A")
    assert Blueprint("A", description="x") != Blueprint("A")


def test_copy_is_independent() -> None:
    bp = bank()
    twin = bp.copy()
    assert twin == bp
    twin.replace_step(twin["apply"].evolve(label="Changed"))
    twin.add_stage("later")
    twin.disconnect("kyc", "core")
    assert bp["apply"].label == "Apply"
    assert "later" not in bp.stages
    assert len(bp.flows()) == 9


def test_graph_view_is_read_only() -> None:
    graph = bank().graph
    assert graph.nodes["apply"]["step"].id == "apply"
    assert graph.edges["apply", "show-id"]["flow"].kind is FlowKind.SEQUENCE
    with pytest.raises(Exception, match=r"[Ff]rozen"):
        graph.add_node("x")


# --- properties ------------------------------------------------------------------------


@settings(max_examples=50)
@given(blueprints())
def test_generated_blueprints_are_valid(bp: Blueprint) -> None:
    assert bp.problems() == []
    spine = bp.customer_spine()
    assert {s.id for s in spine} == {s.id for s in bp.steps(lane="customer")}
    position = {s.id: i for i, s in enumerate(spine)}
    for flow in bp.flows(kind="sequence"):
        if flow.source in position and flow.target in position:
            assert position[flow.source] < position[flow.target]
    assert set(bp.entry_steps()) <= set(spine)
    if spine:
        assert bp.entry_steps()
        assert bp.exit_steps()


@settings(max_examples=50)
@given(blueprints())
def test_crossings_agree_with_lines_between(bp: Blueprint) -> None:
    for line in Line:
        for flow in bp.crossings(line):
            assert line in lines_between(bp[flow.source].lane, bp[flow.target].lane)
    total = sum(len(bp.crossings(line)) for line in Line)
    assert total == sum(len(bp.lines_crossed(flow)) for flow in bp.flows())


@settings(max_examples=50)
@given(blueprints())
def test_copy_equals_and_removing_a_step_drops_its_flows(bp: Blueprint) -> None:
    twin = bp.copy()
    assert twin == bp
    if len(twin):
        victim = next(iter(twin)).id
        twin.remove_step(victim)
        assert victim not in twin
        assert all(victim not in (f.source, f.target) for f in twin.flows())
        assert twin != bp


@settings(max_examples=50)
@given(steps())
def test_generated_steps_evolve_to_themselves(s: Step) -> None:
    assert s.evolve() == s
    assert repr(s).startswith(f"Step(id={s.id!r}")


def test_every_mutator_echoes_what_it_put_in_or_took_out() -> None:
    bp = Blueprint("Hotel", stages=["stay"])
    assert bp.add_stage("Check in") == bp.stage("check-in")
    added = bp.add_step(Step(id="desk", label="Desk", lane="customer", stage="Check in"))
    assert added == bp["desk"]
    assert added.stage == "check-in"
    bp.add_step(Step(id="room", label="Room", lane="customer", stage="stay"))
    flow = bp.connect("desk", "room")
    assert flow == bp.flow("desk", "room")
    assert bp.replace_step(bp["room"].evolve(rating=1)) == bp["room"]
    assert bp.relabel_stage("stay", "Stay") == bp.stage("stay")
    assert bp.disconnect("desk", "room") == flow
    assert bp.add_flow(flow) == flow
    removed = bp.remove_step("room")
    assert removed.rating == 1
    assert bp.remove_stage("stay") == Stage(id="stay", label="Stay")


#: Blueprint's public mutators, by what they return: what they put in, or what they took out.
ADDING = (
    "add_flow",
    "add_persona",
    "add_stage",
    "add_step",
    "connect",
    "relabel_stage",
    "replace_step",
)
REMOVING = ("disconnect", "remove_persona", "remove_stage", "remove_step")


def test_every_public_mutator_follows_the_echo_rule_and_says_so() -> None:
    # A mutator added later (its name says it changes the blueprint) must be
    # sorted into one of the two groups, and each documents what it returns.
    verbs = ("add_", "remove_", "replace_", "relabel_", "connect", "disconnect", "set_", "move_")
    found = {name for name in dir(Blueprint) if name.startswith(verbs)}
    assert found == set(ADDING) | set(REMOVING)
    for name in found:
        doc = getattr(Blueprint, name).__doc__ or ""
        assert "Returns\n" in doc, f"Blueprint.{name} has no Returns section"
        said = "taken out" if name in REMOVING else "put in"
        assert said in doc or "as stored" in doc, f"Blueprint.{name} does not say what it returns"


def test_replace_step_echoes_the_new_step_not_the_old() -> None:
    # The REPL case of issue 14: tagging a moment must echo the tagged step.
    bp = Blueprint("Bank", stages=["apply"])
    bp.add_step(Step(id="form", label="Fills in the form", lane="customer", stage="apply"))
    tagged = bp.replace_step(bp["form"].evolve(moment=MomentOfTruth(kind="first-contact")))
    assert tagged.moment is not None
    assert tagged == bp["form"]
    assert repr(tagged) == repr(bp["form"])


@settings(max_examples=50)
@given(blueprints())
def test_removing_then_adding_back_echoes_the_same_objects(bp: Blueprint) -> None:
    for flow in bp.flows():
        assert bp.disconnect(flow.source, flow.target) == flow
        assert bp.add_flow(flow) == flow == bp.flow(flow.source, flow.target)
    for step in bp.steps():
        incoming, outgoing = bp.incoming(step.id), bp.outgoing(step.id)
        assert bp.remove_step(step.id) == step
        assert step.id not in bp
        assert bp.add_step(step) == step == bp[step.id]
        for flow in (*incoming, *outgoing):
            assert bp.add_flow(flow) == flow
        assert bp.replace_step(step) == step == bp[step.id]
