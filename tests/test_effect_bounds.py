"""Every number a config or a plan line gives has finite bounds, checked before any work starts (issue #11).

A value past an effect's bound, NaN or infinity in any range, or a tampered plan line is a
one-line error (exit 2) naming the key or the line, never a hang or a traceback; the bounds
themselves plan and render.
"""

from __future__ import annotations

import json
import math
import tempfile
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import annotated_types
import numpy as np
import pytest
import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.fields import FieldInfo

from ocrgen.effects.registry import sample_params
from ocrgen.schemas.config import (
    LINE_SPACINGS,
    MAX_CHARACTER_SPACING,
    MAX_FRAME_MARGIN,
    MAX_LINES,
    MAX_STROKE_WIDTH,
    MAX_TEXT_LENGTH,
    MIN_ARC_RADIUS,
)
from ocrgen.schemas.effects import geometric, text
from ocrgen.schemas.effects.base import Effect
from ocrgen.schemas.effects.catalogue import BY_NAME, EFFECTS
from ocrgen.schemas.ranges import Range
from tests.textcases import LATIN, make_record

Cli = Callable[..., Result]
Bound = tuple[float, float, bool, bool]  # low, high, low end open, high end open

# Parameters whose value only sets a direction: any finite number does the same work.
DIRECTIONS = {
    ("color_gradient", "angle"),
    ("block_shadow", "angle"),
    ("rotation", "angle"),
    ("illumination", "angle"),
    ("motion_blur", "angle"),
}

# Config ranges the planner turns into something else in the record (a list, corner moves, grid lines).
DRAWN_INTO_OTHER_FIELDS: dict[tuple[str, str], Bound] = {
    ("glyph_palette", "count"): (0, text.MAX_PALETTE, True, False),
    ("perspective", "magnitude"): (0, geometric.MAX_CORNER_MOVE, False, True),
    ("grid_distortion", "steps"): (1, geometric.MAX_GRID_STEPS, False, False),
    ("grid_distortion", "distort_limit"): (0, geometric.MAX_LINE_MOVE, False, True),
}

SPEC = {"name": "s", "proportion": 1.0, "corpus": ["en/*.txt"]}
HEAD = "total_images: 1\nspecifications:\n  - name: s\n    proportion: 1.0\n    corpus: ['en/*.txt']\n"
SMALL_TEXT = {"text_length": {"min": 3, "max": 8}, "font_size": 16, "padding": 2}

# Every range of a specification outside `effects`: its key path, and the specification keys that give it a value.
LAYOUT_RANGES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "text_length": lambda v: {"text_length": v},
    "font_size": lambda v: {"font_size": v},
    "padding": lambda v: {"padding": v},
    "background_scale": lambda v: {"background_scale": v},
    "lines": lambda v: {"lines": v},
    "line_spacing": lambda v: {"line_spacing": v},
    "character_spacing": lambda v: {"character_spacing": v},
    "curve.arc.radius": lambda v: {"curve": {"p": 1, "arc": {"radius": v}}},
    "curve.sine.amplitude": lambda v: {"curve": {"p": 1, "sine": {"amplitude": v, "frequency": 1}}},
    "curve.sine.frequency": lambda v: {"curve": {"p": 1, "sine": {"amplitude": 1, "frequency": v}}},
    "curve.sine.phase": lambda v: {"curve": {"p": 1, "sine": {"amplitude": 1, "frequency": 1, "phase": v}}},
    "stroke.width": lambda v: {"stroke": {"p": 1, "width": v}},
    "framing.margin": lambda v: {"framing": {"margin": v}},
}


def _is_range(annotation: Any) -> bool:
    return annotation is Range or Range in typing.get_args(annotation)


def _number_type(annotation: Any) -> bool:
    """True for int and float fields, optional or not."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_number_type(arg) for arg in typing.get_args(annotation) if arg is not type(None))
    return annotation in (int, float)


def _limits(field: FieldInfo) -> Bound:
    """The bounds pydantic checks on a params field (also inside an optional annotated float)."""
    metadata = list(field.metadata)
    for arg in typing.get_args(field.annotation):
        metadata += getattr(arg, "__metadata__", ())
        metadata += [
            m for info in getattr(arg, "__metadata__", ()) if isinstance(info, FieldInfo) for m in info.metadata
        ]
    low, high, low_open, high_open = -math.inf, math.inf, False, False
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = float(item.ge)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            low, low_open = float(item.gt), True  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            high = float(item.le)  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            high, high_open = float(item.lt), True  # type: ignore[arg-type]
    return low, high, low_open, high_open


def config_bounds(effect: Effect) -> dict[str, Bound]:
    """Each range of an effect's config and the bounds its values must keep: those of its plan field."""
    bounds = {}
    for name, field in effect.config.model_fields.items():
        if not _is_range(field.annotation) or (effect.name, name) in DIRECTIONS:
            continue
        key = (effect.name, name)
        bounds[name] = DRAWN_INTO_OTHER_FIELDS.get(key) or _limits(effect.params.model_fields[name])
    return bounds


BOUNDED = [(effect.name, name, bound) for effect in EFFECTS for name, bound in config_bounds(effect).items()]
RANGES = [
    (effect.name, name)
    for effect in EFFECTS
    for name, f in effect.config.model_fields.items()
    if _is_range(f.annotation)
]


def test_every_effect_parameter_has_finite_bounds() -> None:
    """Each range of each effect, and each number its record holds, is bounded on both sides (but directions)."""
    for effect in EFFECTS:
        for name, (low, high, _, _) in config_bounds(effect).items():
            assert math.isfinite(low) and math.isfinite(high), f"{effect.name}.{name} has no bound"
        for name, field in effect.params.model_fields.items():
            if _number_type(field.annotation) and (effect.name, name) not in DIRECTIONS:
                low, high, _, _ = _limits(field)
                assert math.isfinite(low) and math.isfinite(high), f"{effect.name} record field {name} has no bound"


def _past(bound: Bound, above: bool, excess: float) -> float:
    low, high, _, _ = bound
    return high + excess if above else low - excess


def _validate(cli: Cli, directory: Path, spec: dict[str, Any]) -> Result:
    config = directory / "batch.yaml"
    config.write_text(yaml.safe_dump({"total_images": 1, "specifications": [{**SPEC, **spec}]}), encoding="utf-8")
    return cli("validate", "--batch-config", config)


def assert_refused(result: Result, *names: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for name in names:
        assert name in result.output, result.output


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(BOUNDED), above=st.booleans(), excess=st.floats(1e-3, 1e12), bare=st.booleans())
def test_config_value_past_its_bound_is_refused(
    cli: Cli, tmp_path: Path, case: tuple[str, str, Bound], above: bool, excess: float, bare: bool
) -> None:
    """`ocrgen validate` refuses it with exit 2, naming the effect and key."""
    effect, name, bound = case
    value = _past(bound, above, excess)
    inside = _at(bound, "low" if above else "high")
    given_as = value if bare else {"min": inside, "max": value} if above else {"min": value, "max": inside}
    result = _validate(cli, tmp_path, {"effects": {effect: {"p": 1, name: given_as}}})
    assert_refused(result, f"effects.{effect}.{name}")


def _at(bound: Bound, end: str) -> float:
    """The value at one end of a bound, or just inside it if that end is open."""
    low, high, low_open, high_open = bound
    if end == "high":
        return high - 1e-3 if high_open else high
    return low + 1e-3 if low_open else low


@pytest.mark.parametrize("end", ["low", "high"])
def test_bounds_themselves_validate(cli: Cli, tmp_path: Path, end: str) -> None:
    """The config accepts every bound the plan record accepts: the two sides agree."""
    effects: dict[str, dict[str, float]] = {effect.name: {"p": 1} for effect in EFFECTS}
    for effect, name, bound in BOUNDED:
        effects[effect][name] = _at(bound, end)
    result = _validate(cli, tmp_path, {"effects": effects})
    assert result.exit_code == 0, result.output


NON_FINITE = st.sampled_from([math.nan, math.inf, -math.inf])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.sampled_from([*LAYOUT_RANGES, *(f"effects.{e}.{n}" for e, n in RANGES)]),
    value=NON_FINITE,
    end=st.sampled_from(["min", "max", "bare"]),
)
def test_nan_or_inf_in_any_range_is_refused(cli: Cli, tmp_path: Path, where: str, value: float, end: str) -> None:
    """YAML's .nan and .inf, as either end of a range or as a fixed value, are refused naming the key."""
    given_as: Any = value if end == "bare" else {"min": 0, "max": 1, end: value}
    if where.startswith("effects."):
        _, effect, name = where.split(".")
        spec = {"effects": {effect: {"p": 1, name: given_as}}}
    else:
        spec = LAYOUT_RANGES[where](given_as)
    result = _validate(cli, tmp_path, spec)
    assert_refused(result, where)


def test_nan_config_is_refused_by_plan_and_leaves_nothing(cli: Cli, tmp_path: Path) -> None:
    """`plan` once validated such a config, then crashed and left an empty temp file."""
    config = tmp_path / "batch.yaml"
    config.write_text(
        yaml.safe_dump({"total_images": 2, "specifications": [{**SPEC, "font_size": {"min": 20, "max": math.nan}}]})
    )
    result = cli("plan", "--batch-config", config, "-o", tmp_path / "out" / "plans.jsonl")
    assert_refused(result, "font_size")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(("digits", "message"), [(400, "line 6: Specification 's': padding.max"), (5000, "digits")])
def test_huge_integer_in_a_range_is_refused(cli: Cli, tmp_path: Path, digits: int, message: str) -> None:
    """A number too big for a float, or too long for Python to read at all, is one short problem."""
    config = tmp_path / "batch.yaml"
    config.write_text(f"{HEAD}    padding: {{min: 1, max: {'9' * digits}}}\n", encoding="utf-8")
    result = cli("validate", "--batch-config", config)
    assert_refused(result, message)
    assert len(result.output) < 1000, "the message does not echo the number"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("curve.arc.radius", 0.0001),
        ("curve.arc.radius", MIN_ARC_RADIUS - 0.5),
        ("stroke.width", MAX_STROKE_WIDTH + 1),
        ("lines", MAX_LINES + 1),
        ("text_length", 1e300),
        ("text_length", MAX_TEXT_LENGTH + 1),
        ("line_spacing", LINE_SPACINGS[1] + 0.5),
        ("line_spacing", 0.01),
        ("character_spacing", MAX_CHARACTER_SPACING + 1),
        ("character_spacing", -MAX_CHARACTER_SPACING - 1),
        ("framing.margin", MAX_FRAME_MARGIN + 0.5),
        ("framing.margin", -0.1),
    ],
)
def test_layout_value_past_its_bound_is_refused(cli: Cli, tmp_path: Path, where: str, value: float) -> None:
    result = _validate(cli, tmp_path, LAYOUT_RANGES[where](value))
    assert_refused(result, where)


def test_font_size_below_one_pixel_plans(cli: Cli, tmp_path: Path) -> None:
    """A font size range that rounds to 0 px draws 1 px, the least a record holds."""
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump({"total_images": 2, "specifications": [{**SPEC, "font_size": 0.0001}]}))
    plan = tmp_path / "plans.jsonl"
    result = cli("plan", "--batch-config", config, "-o", plan)
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["font"]["size"] for line in plan.read_text().splitlines()} == {1}


# --- plan lines -----------------------------------------------------------------------------------


def _params(effect: Effect) -> dict[str, Any]:
    """A valid record entry of `effect`, drawn from its default config."""
    return sample_params(effect, effect.config.model_validate({}), np.random.default_rng(0)).model_dump(mode="json")


PARAMS_BOUNDED = [
    (effect.name, name, _limits(field))
    for effect in EFFECTS
    for name, field in effect.params.model_fields.items()
    if _number_type(field.annotation) and (effect.name, name) not in DIRECTIONS
]
PARAMS_NUMBERS = [
    (effect.name, name)
    for effect in EFFECTS
    for name, f in effect.params.model_fields.items()
    if _number_type(f.annotation)
]
# Lists the planner fills from a bounded range, one entry too many.
TOO_LONG = [
    ("glyph_palette", "colors", [[0, 0, 0]] * (text.MAX_PALETTE + 1)),
    ("grid_distortion", "x", [0.1] * geometric.MAX_GRID_STEPS),
    ("perspective", "corners", [[0.3, 0.0]] * 4),
]


def _plan_with(tmp_path: Path, changes: dict[str, Any]) -> Path:
    """Two records, the second with `changes`; the JSON may hold NaN and Infinity, as a tampered file could."""
    record = json.loads(make_record(LATIN, "Bound").model_dump_json())
    plan = tmp_path / "plans.jsonl"
    plan.write_text(json.dumps(record) + "\n" + json.dumps({**record, "index": 1, **changes}) + "\n")
    return plan


def assert_line_refused(result: Result, plan: Path, name: str) -> None:
    assert_refused(result, str(plan), "line 2", name)


def _past_int(bound: Bound, above: bool, excess: float) -> int:
    """The nearest whole number past the bound by at least `excess`."""
    value = _past(bound, above, excess)
    return math.ceil(value) if above else math.floor(value)


def _past_field(case: tuple[str, str, Bound], above: bool, excess: float) -> tuple[str, str, Any]:
    effect, name, bound = case
    past = _past_int if BY_NAME[effect].params.model_fields[name].annotation is int else _past
    return effect, name, past(bound, above, excess)


PAST_IN_PLANS = st.one_of(
    st.builds(
        _past_field,
        st.sampled_from(PARAMS_BOUNDED),
        st.booleans(),
        st.floats(1e-3, 1e12),
    ),
    st.builds(lambda case, value: (*case, value), st.sampled_from(PARAMS_NUMBERS), NON_FINITE),
    st.sampled_from(TOO_LONG),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=PAST_IN_PLANS)
def test_plan_value_past_its_bound_is_refused(cli: Cli, tmp_path: Path, case: tuple[str, str, Any]) -> None:
    """`ocrgen render` stops with exit 2 naming the file, the line and the field, before any long work."""
    effect, name, value = case
    run = Path(tempfile.mkdtemp(dir=tmp_path))  # one per example: an output dir holds one plan's render
    plan = _plan_with(run, {"effects": [{**_params(BY_NAME[effect]), name: value}]})
    result = cli("render", plan, "--output-dir", run / "out", "--workers", "1")
    assert_line_refused(result, plan, name)


@pytest.mark.parametrize(
    "layout",
    [
        {"curve": {"kind": "arc", "radius": 0.0001, "concave": False}},
        {"stroke": {"width": 10**6, "color": [0, 0, 0]}},
        {"line_spacing": 1e6},
        {"character_spacing": -(10**9)},
    ],
)
def test_plan_layout_past_its_bound_is_refused(cli: Cli, tmp_path: Path, layout: dict[str, Any]) -> None:
    plan = _plan_with(tmp_path, {"layout": layout})
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert_line_refused(result, plan, next(iter(layout)))


@pytest.mark.parametrize("command", ["preview", "inspect"])
def test_huge_cutout_count_is_refused(cli: Cli, tmp_path: Path, command: str) -> None:
    """The plan line of issue #11 that hung `preview`."""
    plan = _plan_with(tmp_path, {"effects": [{"name": "cutout", "count": 10**9, "size": 0.1}]})
    options = ["-o", tmp_path / "sheet.jpg", "--count", "2"] if command == "preview" else []
    result = cli(command, plan, *options)
    assert_line_refused(result, plan, "count")


# --- the bounds themselves work -----------------------------------------------------------------

LAYOUT_ENDS = {
    "low": {
        "curve": {"p": 1, "arc": {"radius": MIN_ARC_RADIUS}},
        "stroke": {"p": 1, "width": 1},
        "lines": 2,
        "line_spacing": LINE_SPACINGS[0],
        "character_spacing": -MAX_CHARACTER_SPACING,
    },
    "high": {
        "curve": {"p": 1, "arc": {"radius": MIN_ARC_RADIUS}},
        "stroke": {"p": 1, "width": MAX_STROKE_WIDTH},
        "lines": MAX_LINES,
        "line_spacing": LINE_SPACINGS[1],
        "character_spacing": MAX_CHARACTER_SPACING,
    },
}


@pytest.mark.parametrize("end", ["low", "high"])
def test_bounds_plan_and_render(cli: Cli, tmp_path: Path, end: str) -> None:
    """One record per effect with every bounded range fixed at that end, and one at the layout's limits."""
    specs: list[dict[str, Any]] = []
    for effect in EFFECTS:
        ends = {name: _at(bound, end) for name, bound in config_bounds(effect).items()}
        specs.append({"name": effect.name, "effects": {effect.name: {"p": 1, **ends}}})
    specs.append({"name": "layout", **LAYOUT_ENDS[end]})
    share = 1 / len(specs)
    batch = {
        "total_images": len(specs),
        "seed": 3,
        "specifications": [{**SPEC, **SMALL_TEXT, **spec, "proportion": share} for spec in specs],
    }
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump(batch), encoding="utf-8")
    plan = tmp_path / "plans.jsonl"
    assert cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    planned = [json.loads(line) for line in plan.read_text().splitlines()]
    assert sorted(record["spec"] for record in planned) == sorted(spec["name"] for spec in specs)
    if end == "high":  # every effect applies but glyph_overlap, whose high end (0 px) changes nothing
        applied = {effect["name"] for record in planned for effect in record["effects"]}
        assert applied == {effect.name for effect in EFFECTS} - {"glyph_overlap"}
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.png"))) == len(specs)
