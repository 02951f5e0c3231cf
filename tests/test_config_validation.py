"""Config validation (issue #2, "Batch config" and "Validation"): the good case and every bad case.

Each bad case checks the message a person reads: the file and line, the key path,
the specification's name, and for a misspelt key the name that was meant.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from fontTools.ttLib import TTFont
from PIL import Image

from ocrgen.assets import BUNDLED_ROOTS
from ocrgen.errors import ConfigError
from ocrgen.planner import AssetDirs, validate

FONT_DIR = BUNDLED_ROOTS["ocrgen:fonts"]
CORPUS_DIR = BUNDLED_ROOTS["ocrgen:corpus"]
RULE = "=" * 60

WriteConfig = Callable[..., Path]
Cli = Callable[..., Result]

# A one-spec config over the bundled assets; line 3 is the spec, line 6 the first optional key.
SMALL = """\
total_images: 10
specifications:
  - name: my_spec
    proportion: 1.0
    corpus: ["en/*.txt"]
"""


def problems_of(path: Path, dirs: AssetDirs | None = None) -> list[str]:
    """Validate `path`, insist that it fails with ConfigError, and return its problems."""
    with pytest.raises(ConfigError) as caught:
        validate(path, dirs or AssetDirs())
    assert caught.value.problems, "a ConfigError must say what is wrong"
    return caught.value.problems


def only_problem(path: Path, dirs: AssetDirs | None = None) -> str:
    """The single problem of a config with exactly one mistake (so nothing is reported twice)."""
    problems = problems_of(path, dirs)
    assert len(problems) == 1, problems
    return problems[0]


def mutate(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once, so a typo in a test cannot make it vacuous."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def with_key(line: str) -> str:
    """SMALL plus one more key of its specification (on line 6)."""
    return SMALL + f"    {line}\n"


@pytest.fixture
def example_text(example_config: Path) -> str:
    return example_config.read_text(encoding="utf-8")


@pytest.fixture
def font_dir_with(tmp_path: Path) -> Callable[..., Path]:
    """A fresh font dir holding copies of the named bundled fonts."""

    def make(*names: str) -> Path:
        directory = tmp_path / "fonts"
        directory.mkdir()
        for name in names:
            shutil.copy(FONT_DIR / name, directory / name)
        return directory

    return make


def write_png(path: Path) -> None:
    """A tiny real image, so the background dir holds something usable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 16), (230, 230, 220)).save(path)


# --- the good case -------------------------------------------------------------------------------


def test_issue_example_validates_with_bundled_assets(example_config: Path) -> None:
    config, resources = validate(example_config, AssetDirs())
    assert config.total_images == 100
    assert config.seed == 7
    assert [s.name for s in config.specifications] == ["latin_lines", "arabic_lines"]
    assert [r.spec.name for r in resources.specs] == ["latin_lines", "arabic_lines"]
    latin, arabic = config.specifications
    assert (latin.font_size.min, latin.font_size.max, latin.font_size.distribution) == (24, 48, "uniform")
    assert arabic.font_size.distribution == "uniform", "a range without distribution is uniform"
    assert latin.text_color.max == (60, 60, 60)
    arabic_fonts = {font.path.name for font, _ in resources.specs[1].fonts}
    assert arabic_fonts, "the Arabic include globs must select bundled fonts"
    assert all("Arabic" in name or "Naskh" in name for name in arabic_fonts)


def test_issue_example_validates_with_a_corpus_dir_of_en_and_ar(example_config: Path, tmp_path: Path) -> None:
    """The issue: it must validate 'given a corpus dir that holds en/*.txt and ar/*.txt'."""
    corpus = tmp_path / "corpus"
    for lang in ("en", "ar"):
        (corpus / lang).mkdir(parents=True)
        shutil.copy(CORPUS_DIR / lang / "daily.txt", corpus / lang / "mine.txt")
    config, resources = validate(example_config, AssetDirs(corpus=corpus))
    assert len(resources.specs) == len(config.specifications) == 2


# --- unknown keys --------------------------------------------------------------------------------


def test_unknown_top_level_key_names_it_and_the_closest_key(write_config: WriteConfig, example_text: str) -> None:
    path = write_config(mutate(example_text, "seed: 7", "seeed: 7"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 2:")
    assert "unknown key 'seeed'" in problem
    assert "did you mean 'seed'?" in problem


def test_unknown_key_in_a_specification_names_the_spec(write_config: WriteConfig, example_text: str) -> None:
    text = mutate(example_text, "    text_length: {min: 5, max: 30}", "    text_lenght: {min: 5, max: 30}")
    path = write_config(text)
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 16:")
    assert "Specification 'arabic_lines'" in problem
    assert "unknown key 'text_lenght'" in problem
    assert "did you mean 'text_length'?" in problem


def test_unknown_key_in_a_range_gives_the_key_path(write_config: WriteConfig, example_text: str) -> None:
    text = mutate(example_text, "distribution: uniform}", "distribuion: uniform}")
    path = write_config(text)
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 8:")
    assert "Specification 'latin_lines'" in problem
    assert "unknown key 'font_size.distribuion'" in problem
    assert "did you mean 'distribution'?" in problem


@pytest.mark.parametrize(
    ("line", "key_path", "meant"),
    [
        ("fonts: {includ: ['*']}", "fonts.includ", "include"),
        ("directions: {left_to_rigth: 1}", "directions.left_to_rigth", "left_to_right"),
        ("text_color: {min: [0, 0, 0], maxx: [9, 9, 9]}", "text_color.maxx", "max"),
    ],
)
def test_unknown_nested_key_suggests_the_sibling_name(
    write_config: WriteConfig, line: str, key_path: str, meant: str
) -> None:
    problems = problems_of(write_config(with_key(line)))
    unknown = [p for p in problems if "unknown key" in p]
    assert len(unknown) == 1, problems
    assert f"unknown key '{key_path}'" in unknown[0]
    assert f"did you mean '{meant}'?" in unknown[0]
    assert "line 6" in unknown[0]


def test_unknown_key_without_a_close_match_lists_the_known_keys(write_config: WriteConfig) -> None:
    problem = only_problem(write_config("zzz: 1\n" + SMALL))
    assert "unknown key 'zzz'" in problem
    for known in ("seed", "specifications", "total_images"):
        assert known in problem


# --- missing keys and top-level values -----------------------------------------------------------


def test_missing_total_images_is_reported(write_config: WriteConfig, example_text: str) -> None:
    problem = only_problem(write_config(mutate(example_text, "total_images: 100\n", "")))
    assert "missing required key 'total_images'" in problem


def test_missing_key_in_a_specification_names_the_spec(write_config: WriteConfig, example_text: str) -> None:
    path = write_config(mutate(example_text, '    corpus: ["ar/*.txt"]\n', ""))
    problem = only_problem(path)
    assert "Specification 'arabic_lines'" in problem
    assert "missing required key 'corpus'" in problem
    assert f"{path}, line 12:" in problem, "the line of the specification that lacks the key"


def test_a_specification_without_a_name_is_named_by_position(write_config: WriteConfig, example_text: str) -> None:
    problem = only_problem(
        write_config(mutate(example_text, "  - name: arabic_lines\n    proportion", "  - proportion"))
    )
    assert "Specification #2" in problem
    assert "missing required key 'name'" in problem


@pytest.mark.parametrize("total", ["0", "-3"])
def test_total_images_must_be_above_zero(write_config: WriteConfig, example_text: str, total: str) -> None:
    path = write_config(mutate(example_text, "total_images: 100", f"total_images: {total}"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 1: total_images:")
    assert "greater than 0" in problem


def test_specifications_must_not_be_empty(write_config: WriteConfig) -> None:
    path = write_config("total_images: 5\nspecifications: []\n")
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 2: specifications:")
    assert "at least 1" in problem


def test_proportions_must_sum_to_one(write_config: WriteConfig, example_text: str) -> None:
    problem = only_problem(write_config(mutate(example_text, "proportion: 0.3", "proportion: 0.2")))
    assert "proportions" in problem
    assert "sum to 0.9" in problem
    assert "must sum to 1" in problem


def test_specification_names_must_be_unique(write_config: WriteConfig, example_text: str) -> None:
    problem = only_problem(write_config(mutate(example_text, "name: arabic_lines", "name: latin_lines")))
    assert "unique" in problem
    assert "latin_lines" in problem


# --- ranges --------------------------------------------------------------------------------------


def test_range_with_min_above_max(write_config: WriteConfig, example_text: str) -> None:
    path = write_config(mutate(example_text, "text_length: {min: 10, max: 40}", "text_length: {min: 40, max: 10}"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 7:")
    assert "Specification 'latin_lines'" in problem
    assert "text_length" in problem
    assert "min (40) is greater than max (10)" in problem


def test_colour_range_with_min_above_max(write_config: WriteConfig) -> None:
    problem = only_problem(write_config(with_key("text_color: {min: [90, 0, 0], max: [60, 60, 60]}")))
    assert "Specification 'my_spec'" in problem
    assert "text_color" in problem
    assert "min (90) is greater than max (60)" in problem
    assert "line 6" in problem


def test_colour_channel_above_255(write_config: WriteConfig) -> None:
    problem = only_problem(write_config(with_key("text_color: {min: [0, 0, 0], max: [60, 300, 60]}")))
    assert "text_color.max" in problem
    assert "300" in problem


def test_negative_padding(write_config: WriteConfig, example_text: str) -> None:
    path = write_config(mutate(example_text, "padding: {min: 4, max: 16}", "padding: {min: -2, max: 16}"))
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 9:")
    assert "Specification 'latin_lines'" in problem
    assert "padding" in problem
    assert "0 or more" in problem
    assert "-2" in problem


@pytest.mark.parametrize("font_size", ["{min: 0, max: 48}", "{min: -4, max: 48}", "0"])
def test_font_size_must_be_above_zero(write_config: WriteConfig, font_size: str) -> None:
    problem = only_problem(write_config(with_key(f"font_size: {font_size}")))
    assert "Specification 'my_spec'" in problem
    assert "font_size" in problem
    assert "above 0" in problem
    assert "line 6" in problem


def test_unknown_distribution(write_config: WriteConfig) -> None:
    problem = only_problem(write_config(with_key("font_size: {min: 20, max: 30, distribution: gaussian}")))
    assert "Specification 'my_spec'" in problem
    assert "font_size.distribution" in problem
    for name in ("uniform", "normal", "truncated_normal", "exponential", "beta", "lognormal"):
        assert f"'{name}'" in problem, "the message lists the valid distributions"


@pytest.mark.parametrize(
    ("range_text", "expected"),
    [
        ("{min: 20, max: 30, std: 2}", "'std' only applies to distribution normal or truncated_normal, not uniform"),
        ("{min: 20, max: 30, distribution: beta, scale: 2}", "'scale' only applies to distribution exponential"),
        ("{min: 20, max: 30, distribution: normal, alpha: 2}", "'alpha' only applies to distribution beta"),
    ],
)
def test_parameter_of_another_distribution(write_config: WriteConfig, range_text: str, expected: str) -> None:
    problem = only_problem(write_config(with_key(f"font_size: {range_text}")))
    assert "Specification 'my_spec'" in problem
    assert "font_size" in problem
    assert expected in problem


# --- weights -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "key_path"),
    [
        ("directions: {left_to_right: -1, right_to_left: 1}", "directions.left_to_right"),
        ("fonts: {weights: {'NotoSans-*': -0.5}}", "fonts.weights.NotoSans-*"),
        ("backgrounds: {paper: -1, wood: 1}", "backgrounds.paper"),
    ],
)
def test_negative_weights(write_config: WriteConfig, line: str, key_path: str) -> None:
    problem = only_problem(write_config(with_key(line)))
    assert "Specification 'my_spec'" in problem
    assert f"{key_path}:" in problem
    assert "greater than or equal to 0" in problem
    assert "line 6" in problem


def test_all_direction_weights_zero(write_config: WriteConfig) -> None:
    problem = only_problem(write_config(with_key("directions: {left_to_right: 0, right_to_left: 0}")))
    assert "Specification 'my_spec'" in problem
    assert "directions" in problem
    assert "at least one direction a weight above 0" in problem


def test_all_background_weights_zero(write_config: WriteConfig) -> None:
    problem = only_problem(write_config(with_key("backgrounds: {paper: 0, wood: 0}")))
    assert "Specification 'my_spec'" in problem
    assert "backgrounds" in problem
    assert "all background weights are 0" in problem


# --- resources -----------------------------------------------------------------------------------


def test_corpus_pattern_matching_no_file_has_the_issue_format(write_config: WriteConfig) -> None:
    path = write_config(SMALL.replace("en/*.txt", "missing.txt"))
    assert only_problem(path) == (
        f"Specification 'my_spec': No corpus files found matching pattern 'missing.txt'\nin directory {CORPUS_DIR}"
    )


def test_corpus_pattern_checked_in_a_user_corpus_dir(write_config: WriteConfig, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "en").mkdir(parents=True)
    (corpus / "en" / "a.txt").write_text("some words here\n", encoding="utf-8")
    (corpus / "de.txt").write_text("nicht im Muster\n", encoding="utf-8")
    path = write_config(SMALL.replace('["en/*.txt"]', '["en/*.txt", "fr/*.txt"]'))
    assert only_problem(path, AssetDirs(corpus=corpus)) == (
        f"Specification 'my_spec': No corpus files found matching pattern 'fr/*.txt'\nin directory {corpus}"
    )


def test_missing_font_dir(write_config: WriteConfig, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_fonts"
    problem = only_problem(write_config(SMALL), AssetDirs(fonts=missing))
    assert f"Font directory not found: {missing}" in problem
    assert "--font-dir" in problem


def test_font_dir_without_fonts(write_config: WriteConfig, tmp_path: Path) -> None:
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "README.txt").write_text("no fonts here", encoding="utf-8")
    problem = only_problem(write_config(SMALL), AssetDirs(fonts=fonts))
    assert "No fonts" in problem
    assert str(fonts) in problem


def test_font_file_that_does_not_open(write_config: WriteConfig, font_dir_with: Callable[..., Path]) -> None:
    """A broken font is reported even when a good one sits beside it: it is not skipped silently."""
    fonts = font_dir_with("NotoSans-Regular.ttf")
    broken = fonts / "Broken-Regular.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00 this is not a font" * 8)
    problem = only_problem(write_config(SMALL), AssetDirs(fonts=fonts))
    assert f"Font file {broken} cannot be opened" in problem


def test_font_without_outlines_is_refused_at_validation(
    write_config: WriteConfig, font_dir_with: Callable[..., Path]
) -> None:
    """A TrueType font stripped of glyf/loca opens in fontTools but fails in FreeType mid-plan; validate says so."""
    fonts = font_dir_with("NotoSans-Regular.ttf")
    stripped = TTFont(fonts / "NotoSans-Regular.ttf")
    del stripped["glyf"], stripped["loca"]
    stripped.save(fonts / "NoOutlines-Regular.ttf")
    problem = only_problem(write_config(SMALL), AssetDirs(fonts=fonts))
    assert "NoOutlines-Regular.ttf cannot be opened (it has no glyph outlines" in problem


def test_missing_corpus_dir(write_config: WriteConfig, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_corpus"
    problem = only_problem(write_config(SMALL), AssetDirs(corpus=missing))
    assert f"Corpus directory not found: {missing}" in problem
    assert "--corpus-dir" in problem


def test_missing_background_dir(write_config: WriteConfig, tmp_path: Path) -> None:
    missing = tmp_path / "no_such_backgrounds"
    problem = only_problem(write_config(SMALL), AssetDirs(backgrounds=missing))
    assert f"Background directory not found: {missing}" in problem
    assert "--background-dir" in problem


def test_background_dir_without_images(write_config: WriteConfig, tmp_path: Path) -> None:
    backgrounds = tmp_path / "backgrounds"
    (backgrounds / "paper").mkdir(parents=True)
    (backgrounds / "paper" / "notes.txt").write_text("not an image", encoding="utf-8")
    problem = only_problem(write_config(SMALL), AssetDirs(backgrounds=backgrounds))
    assert "No background images" in problem
    assert str(backgrounds) in problem


def test_backgrounds_key_naming_a_missing_subdir(write_config: WriteConfig, tmp_path: Path) -> None:
    backgrounds = tmp_path / "backgrounds"
    write_png(backgrounds / "paper" / "a.png")
    path = write_config(with_key("backgrounds: {paper: 1, wood: 2}"))
    problem = only_problem(path, AssetDirs(backgrounds=backgrounds))
    assert "Specification 'my_spec'" in problem
    assert "backgrounds key 'wood'" in problem
    assert str(backgrounds) in problem


def test_backgrounds_key_that_exists_validates(write_config: WriteConfig, tmp_path: Path) -> None:
    """The counterpart of the test above: an existing sub-directory is accepted."""
    backgrounds = tmp_path / "backgrounds"
    write_png(backgrounds / "paper" / "a.png")
    config, _ = validate(write_config(with_key("backgrounds: {paper: 1}")), AssetDirs(backgrounds=backgrounds))
    assert config.specifications[0].backgrounds == {"paper": 1.0}


def test_fonts_include_glob_matching_nothing(write_config: WriteConfig) -> None:
    problem = only_problem(write_config(with_key("fonts: {include: ['*Klingon*']}")))
    assert "Specification 'my_spec'" in problem
    assert "*Klingon*" in problem
    assert str(FONT_DIR) in problem


def test_not_valid_yaml_names_the_line(write_config: WriteConfig) -> None:
    path = write_config("total_images: 10\nspecifications:\n  - name: my_spec\n   proportion: 1.0\n")
    problem = only_problem(path)
    assert problem.startswith(f"{path}, line 4")
    assert "not valid YAML" in problem


def test_config_that_is_not_a_mapping(write_config: WriteConfig) -> None:
    problem = only_problem(write_config("- just\n- a list\n"))
    assert "mapping" in problem


# --- every problem at once -----------------------------------------------------------------------


def test_three_schema_mistakes_give_three_problems(write_config: WriteConfig, example_text: str) -> None:
    text = mutate(example_text, "seed: 7", "sed: 7")
    text = mutate(text, "padding: {min: 4, max: 16}", "padding: {min: -1, max: 16}")
    text = mutate(text, "text_length: {min: 5, max: 30}", "text_length: {min: 50, max: 30}")
    problems = problems_of(write_config(text))
    assert len(problems) == 3, problems
    assert sum("unknown key 'sed'" in p and "did you mean 'seed'" in p for p in problems) == 1
    assert sum("Specification 'latin_lines'" in p and "padding" in p for p in problems) == 1
    assert sum("Specification 'arabic_lines'" in p and "min (50) is greater than max (30)" in p for p in problems) == 1


def test_three_resource_mistakes_give_three_problems(write_config: WriteConfig, tmp_path: Path) -> None:
    text = SMALL.replace("en/*.txt", "missing.txt") + (
        "  - name: other\n    proportion: 0.0\n    corpus: [\"en/*.txt\"]\n    fonts: {include: ['*Klingon*']}\n"
    )
    missing_backgrounds = tmp_path / "no_backgrounds"
    problems = problems_of(write_config(text), AssetDirs(backgrounds=missing_backgrounds))
    assert len(problems) == 3, problems
    assert sum("Background directory not found" in p for p in problems) == 1
    assert sum(p.startswith("Specification 'my_spec': No corpus files found") for p in problems) == 1
    assert sum(p.startswith("Specification 'other'") and "*Klingon*" in p for p in problems) == 1


def test_schema_and_resource_mistakes_are_reported_together(write_config: WriteConfig) -> None:
    """'Report every problem at once': a typo in one spec must not hide a missing corpus in another."""
    text = with_key("text_lenght: {min: 5, max: 9}") + (
        '  - name: other\n    proportion: 0.0\n    corpus: ["missing.txt"]\n'
    )
    problems = problems_of(write_config(text))
    assert any("unknown key 'text_lenght'" in p for p in problems), problems
    assert any("Specification 'other': No corpus files found matching pattern 'missing.txt'" in p for p in problems), (
        problems
    )


def test_report_puts_every_problem_between_the_banners() -> None:
    error = ConfigError(["first problem", "second problem"])
    assert error.report() == (
        f"{RULE}\nERROR: Configuration validation failed\n{RULE}\n\n"
        "first problem\n\nsecond problem\n\n"
        f"Please fix the configuration and try again.\n{RULE}"
    )


# --- the CLI -------------------------------------------------------------------------------------


def test_cli_validate_bad_config_prints_the_banner_and_exits_2(cli: Cli, write_config: WriteConfig) -> None:
    path = write_config(SMALL.replace("en/*.txt", "missing.txt"), name="bad.yaml")
    result = cli("validate", "--batch-config", path)
    assert result.exit_code == 2
    expected = (
        f"{RULE}\n"
        "ERROR: Configuration validation failed\n"
        f"{RULE}\n"
        "\n"
        "Specification 'my_spec': No corpus files found matching pattern 'missing.txt'\n"
        f"in directory {CORPUS_DIR}\n"
        "\n"
        "Please fix the configuration and try again.\n"
        f"{RULE}\n"
    )
    assert result.stderr == expected
    assert "Traceback" not in result.output
    assert "OK" not in result.stdout


def test_cli_validate_schema_error_exits_2_without_traceback(cli: Cli, write_config: WriteConfig) -> None:
    path = write_config(with_key("text_lenght: {min: 5, max: 9}"), name="bad.yaml")
    result = cli("validate", "--batch-config", path)
    assert result.exit_code == 2
    assert "ERROR: Configuration validation failed" in result.stderr
    assert "did you mean 'text_length'?" in result.stderr
    assert "Please fix the configuration and try again." in result.stderr
    assert "Traceback" not in result.output


def test_cli_validate_invalid_yaml_exits_2(cli: Cli, write_config: WriteConfig) -> None:
    path = write_config("total_images: [1, 2\n", name="bad.yaml")
    result = cli("validate", "--batch-config", path)
    assert result.exit_code == 2
    assert "not valid YAML" in result.stderr
    assert "Traceback" not in result.output


def test_cli_validate_missing_config_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = cli("validate", "--batch-config", missing)
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "Traceback" not in result.output


def test_cli_validate_missing_font_dir_exits_2(cli: Cli, example_config: Path, tmp_path: Path) -> None:
    result = cli("validate", "--batch-config", example_config, "--font-dir", tmp_path / "none")
    assert result.exit_code == 2
    assert "Font directory not found" in result.stderr


def test_cli_validate_good_config_exits_0(cli: Cli, example_config: Path) -> None:
    result = cli("validate", "--batch-config", example_config)
    assert result.exit_code == 0, result.output
    assert "OK" in result.stdout
    assert "100 images" in result.stdout
    assert "ERROR" not in result.output
