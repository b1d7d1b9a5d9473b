"""Broken persona and scenario files: every mistake a trainer can make is one ``path:line: field: problem`` line.

``tests/broken/personas`` and ``tests/broken/scenarios`` hold one file per mistake: a copy of the shipped
``personas/angry.yaml`` or ``scenarios/home-internet-down.yaml`` (line 1 says what is broken, line 2 gives it
an id of its own) with exactly one thing wrong, so the loader must report exactly one problem for it.
``MANIFEST`` below says where (line), what (field) and why (a regex searched in the problem text).
Partner files for cross-file cases live in ``tests/broken/partners``; files the loader must accept live in
``tests/broken/valid``. The huge file and the deeply nested one are generated at run time.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.catalog import CatalogError, load_catalog
from simulator.catalog.yamlfile import MAX_BYTES
from simulator.i18n import t
from simulator.paths import shipped_catalog

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken"
SHIPPED = shipped_catalog()
ROOTS = {"personas": SHIPPED / "personas", "scenarios": SHIPPED / "scenarios", "partners": BROKEN / "partners"}

# The format every problem must have (the brief's regex), and the same split into its parts.
PROBLEM_FORMAT = re.compile(r"^.+:\d+: \S.*: .+$")
PROBLEM_PARTS = re.compile(r"^(?P<line>\d+): (?P<field>\S.*?): (?P<problem>.+)$")


@dataclass(frozen=True)
class Case:
    path: str  # under tests/broken, or under the generated folder when ``make`` is set
    line: int | tuple[int, ...] | range
    field: str | re.Pattern[str]
    problem: str  # regex, searched case-insensitively
    uses: tuple[str, ...] = ()  # extra roots loaded before the file: keys of ROOTS
    make: Callable[[], bytes] | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        return self.path.removesuffix(".yaml")


def _persona_text() -> str:
    return (SHIPPED / "personas" / "angry.yaml").read_text(encoding="utf-8").replace("id: angry", "id: broken-gen", 1)


def make_huge() -> bytes:
    """A valid persona padded with comments to just over the size limit."""
    text = _persona_text()
    padding = "# padding padding padding padding padding padding padding padding padding padding\n"
    return (text + padding * (MAX_BYTES // len(padding) + 2)).encode()


DEEP = 100_000


def make_deep() -> bytes:
    """examples.en[0] (line 26) becomes 100 000 nested flow lists."""
    lines = _persona_text().splitlines(keepends=True)
    assert lines[25].startswith("    - ")
    lines[25] = "    - " + "[" * DEEP + "]" * DEEP + "\n"
    return "".join(lines).encode()


P, S = "personas/", "scenarios/"
TOP = (1, 2)  # a missing top-level field: line 1 (the file) or 2 (the first key, after the comment on line 1)

# fmt: off
MANIFEST: list[Case] = [
    # --- YAML syntax
    Case(P + "syntax-bad-indent.yaml", 18, "(yaml)", "mapping values are not allowed"),
    Case(P + "syntax-tab-indent.yaml", 19, "(yaml)", r"found character '\\t' that cannot start any token"),
    Case(P + "syntax-unclosed-quote.yaml", 70, "(yaml)", "end of stream"),
    Case(P + "syntax-unclosed-bracket.yaml", 21, "(yaml)", r"expected ',' or '\]'"),
    Case(S + "syntax-unclosed-quote.yaml", 62, "(yaml)", "end of stream"),
    Case(S + "syntax-bad-indent.yaml", 19, "(yaml)", "mapping values are not allowed"),
    Case(S + "syntax-unclosed-brace.yaml", 60, "(yaml)", r"expected ',' or '\}'"),
    Case(P + "unknown-tag.yaml", 5, "(yaml)", "could not determine a constructor for the tag '!level'"),
    Case(P + "control-character.yaml", 69, "(yaml)", "character #x001b is not allowed"),
    # --- duplicate keys
    Case(P + "duplicate-key-top.yaml", 6, "intensity", "duplicate key"),
    Case(P + "duplicate-key-nested.yaml", 21, "speech.typos", "duplicate key"),
    Case(S + "duplicate-key-nested.yaml", 40, "facts.hidden[2].label", "duplicate key"),
    # --- wrong types
    Case(P + "type-string-for-int.yaml", 5, "intensity", "valid integer"),
    Case(P + "type-list-for-mapping.yaml", 23, "calms", "valid dictionary"),
    Case(P + "type-number-for-text.yaml", 3, "name.en", "valid string"),
    Case(P + "type-string-for-list.yaml", 57, "lines.nudge.en", "valid list"),
    Case(S + "type-string-for-int.yaml", 6, "difficulty", "valid integer", uses=("personas",)),
    Case(S + "type-list-for-mapping.yaml", 59, "end", "valid dictionary", uses=("personas",)),
    Case(S + "type-number-for-text.yaml", 3, "title", "valid string", uses=("personas",)),
    Case(S + "type-mapping-for-list.yaml", 39, "facts.hidden[2].ask", "valid list", uses=("personas",)),
    # --- unknown keys
    Case(P + "unknown-key-top.yaml", 6, "patiense", "unknown field"),
    Case(P + "unknown-key-nested.yaml", 19, "speech.typo_rate", "unknown field"),
    Case(P + "crlf-unknown-key.yaml", 19, "speech.typo_rate", "unknown field"),
    Case(S + "unknown-key-top.yaml", 64, "mentor_note", "unknown field", uses=("personas",)),
    Case(S + "unknown-key-nested.yaml", 59, "end.silence_secs", "unknown field", uses=("personas",)),
    Case(S + "unknown-key-in-fact.yaml", 27, "facts.hidden[0].reveals", "unknown field", uses=("personas",)),
    Case(S + "unknown-key-overrides.yaml", 8, "persona_overrides.mood", "unknown field", uses=("personas",)),
    # --- missing required fields
    Case(P + "missing-id.yaml", TOP, "id", "required field is missing"),
    Case(P + "missing-temperament.yaml", TOP, "temperament", "required field is missing"),
    Case(P + "missing-lines.yaml", TOP, "lines", "required field is missing"),
    Case(S + "missing-opening.yaml", TOP, "opening", "required field is missing", uses=("personas",)),
    Case(S + "missing-resolutions.yaml", TOP, "resolutions", "required field is missing", uses=("personas",)),
    Case(S + "missing-persona.yaml", TOP, "persona", "required field is missing", uses=("personas",)),
    # --- out of range
    Case(P + "range-intensity-11.yaml", 5, "intensity", "less than or equal to 10"),
    Case(P + "range-typos.yaml", 19, "speech.typos", r"less than or equal to 0\.3"),
    Case(P + "range-chunks-reversed.yaml", 20, "speech.chunks", r"chunks must be \[least, most\]"),
    Case(S + "range-difficulty-0.yaml", 6, "difficulty", "greater than or equal to 1", uses=("personas",)),
    Case(S + "range-opening-empty.yaml", 12, "opening", "at least 1 item", uses=("personas",)),
    # --- ids
    Case(P + "id-with-spaces.yaml", 2, "id", "should match pattern"),
    Case(P + "id-uppercase.yaml", 2, "id", "should match pattern"),
    Case(S + "id-uppercase-spaces.yaml", 2, "id", "should match pattern", uses=("personas",)),
    Case(P + "duplicate-id-across-files.yaml", 2, "id",
         r"duplicate id 'broken-twin' \(also in .*partners/personas/twin\.yaml\)", uses=("partners",)),
    Case(P + "duplicate-id-shipped.yaml", 2, "id", r"duplicate id 'angry' \(also in .*personas/angry\.yaml\)",
         uses=("personas",)),
    Case(S + "duplicate-id-shipped.yaml", 2, "id", "duplicate id 'home-internet-down'",
         uses=("personas", "scenarios")),
    # --- languages and the line bank
    Case(P + "name-language-fr.yaml", 3, "name.fr", "'en' or 'ru'"),
    Case(P + "lines-language-fr.yaml", 62, "lines.waiting.fr", "'en' or 'ru'"),
    Case(S + "language-de.yaml", 4, "language", "'en' or 'ru'", uses=("personas",)),
    Case(P + "lines-unknown-intent.yaml", 38, "lines.dont_knwo", "should be 'complain'"),
    Case(P + "lines-missing-language.yaml", 59, "lines.waiting", "no 'ru' lines for 'waiting'"),
    Case(P + "description-missing-language.yaml", 7, "description", "no description in 'ru'"),
    Case(P + "reveal-without-value.yaml", 36, "lines.reveal.en[1]", r"must contain \{value\}"),
    Case(P + "already-told-without-value.yaml", 49, "lines.already_told.ru[1]", r"must contain \{value\}"),
    # --- scenario contradictions and references
    Case(S + "unknown-persona.yaml", 7, "persona", "unknown persona 'nobody'", uses=("personas",)),
    Case(S + "persona-without-language.yaml", 7, "persona", "persona 'broken-ru-only' has no 'en' voice",
         uses=("personas", "partners")),
    Case(S + "required-fact-without-ask.yaml", 29, "facts.hidden[1].ask", "required fact needs ask phrases",
         uses=("personas",)),
    Case(S + "hidden-value-in-opening.yaml", 24, "facts.hidden[0].value", "opening already says",
         uses=("personas",)),
    Case(S + "duplicate-fact-ids.yaml", 36, "facts.hidden[2].id", "duplicate fact id 'contract'",
         uses=("personas",)),
    Case(S + "requires-unknown-fact.yaml", 50, "resolutions[0].requires[1]", "unknown fact 'modem-lights'",
         uses=("personas",)),
    Case(S + "trap-is-resolution.yaml", 56, "traps[0].match[4]", "'send someone' is both a trap and a resolution",
         uses=("personas",)),
    Case(S + "fact-reveal-without-value.yaml", 34, "facts.hidden[1].reveal[0]", r"must contain \{value\} or the value",
         uses=("personas",)),
    # --- a value still to write, as `sparring draft` leaves it: the TODO alone, not the checks it would fail
    Case(S + "todo-left.yaml", 50, "resolutions[0].example", "^TODO: how a good agent", uses=("personas",)),
    # --- not a mapping, not one document
    Case(P + "empty-file.yaml", 1, "(file)", "the file is empty"),
    Case(P + "only-comments.yaml", 1, "(file)", "the file is empty"),
    Case(P + "just-a-list.yaml", 1, "(file)", "expected a mapping of fields, got list"),
    Case(P + "just-a-scalar.yaml", 1, "(file)", "expected a mapping of fields, got str"),
    Case(P + "two-documents.yaml", (31, 32), "(file)", "exactly one YAML document"),
    # --- encodings and binary data
    Case(P + "encoding-cp1251.yaml", 3, "(file)", "not UTF-8 text"),
    Case(P + "encoding-utf16-bom.yaml", 1, "(file)", "not UTF-8 text"),
    Case(P + "encoding-utf16-no-bom.yaml", 1, "(file)", "binary data, not YAML"),
    Case(P + "binary-elf-junk.yaml", 1, "(file)", "binary data, not YAML"),
    Case(P + "binary-nul-padding.yaml", 71, "(file)", "binary data, not YAML"),
    # --- size, depth and aliases
    Case(P + "alias-bomb.yaml", range(71, 82), re.compile(r"lol(\[\d+\])*"), "alias bomb"),
    Case(P + "alias-recursive.yaml", (25, 27), "examples.en[1]", "alias refers to the block that contains it"),
    Case(P + "huge-file.yaml", 1, "(file)", "file is too large", make=make_huge),
    Case(P + "deep-nesting.yaml", 26, "(yaml)", "recursion|nested too deeply|too deep",
         make=make_deep),
    # --- scalars PyYAML cannot construct (BUG 1): the field may be (yaml) or the field's own path
    Case(S + "impossible-date.yaml", 24, re.compile(r"\(yaml\)|facts\.hidden\[0\]\.value"), "date|day|month",
         uses=("personas",)),
    Case(P + "bad-int-tag.yaml", 5, re.compile(r"\(yaml\)|intensity"), "int|ten"),
    Case(P + "bad-bool-tag.yaml", 18, re.compile(r"\(yaml\)|speech\.caps_when_upset"), "bool|maybe"),
    Case(P + "bad-timestamp-tag.yaml", 6, re.compile(r"\(yaml\)|patience"), "timestamp|date|soon"),
    Case(P + "binary-int-no-digits.yaml", 5, re.compile(r"\(yaml\)|intensity"), "int|0b_|number"),
]
# fmt: on
BY_PATH = {case.path: case for case in MANIFEST}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    for case in MANIFEST:
        if case.make:
            target = root / case.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(case.make())
    return root


def case_file(case: Case, generated: Path) -> Path:
    return generated / case.path if case.make else BROKEN / case.path


@functools.cache
def load(path: Path, uses: tuple[str, ...]) -> tuple[list[CatalogError], list[CatalogError]]:
    """The problems in ``path`` and the problems anywhere else, loading ``uses`` first."""
    loaded = load_catalog([*(ROOTS[u] for u in uses), path])
    mine = [p for p in loaded.problems if Path(p.path) == path]
    return mine, [p for p in loaded.problems if Path(p.path) != path]


def params() -> list:
    return [pytest.param(c, id=c.id) for c in MANIFEST]


def the_problem(case: Case, generated: Path) -> CatalogError:
    mine, others = load(case_file(case, generated), case.uses)
    assert not others, [str(p) for p in others]  # partners and the shipped catalogue are clean
    assert len(mine) == 1, f"expected exactly one problem, got {[str(p) for p in mine]}"
    return mine[0]


def field_matches(case: Case, actual: str) -> bool:
    expected = case.field
    return bool(expected.fullmatch(actual)) if isinstance(expected, re.Pattern) else actual == expected


def line_matches(case: Case, actual: int) -> bool:
    return actual == case.line if isinstance(case.line, int) else actual in case.line


@pytest.mark.parametrize("case", params())
def test_one_problem_names_the_field_and_what_is_wrong(case, generated):
    problem = the_problem(case, generated)
    assert field_matches(case, problem.field), str(problem)
    assert re.search(case.problem, problem.problem, re.IGNORECASE), str(problem)
    assert "\n" not in str(problem), f"the problem spans lines: {str(problem)!r}"
    assert PROBLEM_FORMAT.match(str(problem)), str(problem)


@pytest.mark.parametrize("case", params())
def test_the_problem_points_at_the_right_line(case, generated):
    problem = the_problem(case, generated)
    assert line_matches(case, problem.line), f"expected line {case.line}: {problem}"


def test_the_manifest_covers_every_broken_file():
    on_disk = {f"{p.parent.name}/{p.name}" for kind in ("personas", "scenarios") for p in (BROKEN / kind).iterdir()}
    committed = {case.path for case in MANIFEST if not case.make}
    assert on_disk == committed
    assert len(MANIFEST) >= 40
    for path in on_disk:  # small files; the huge and the deep one are made at run time
        assert (BROKEN / path).stat().st_size < 8192, path


def test_partners_are_valid():
    loaded = load_catalog([SHIPPED / "personas", BROKEN / "partners"])
    assert not loaded.problems, [str(p) for p in loaded.problems]
    assert {"broken-twin", "broken-ru-only"} <= set(loaded.personas)


@pytest.mark.parametrize(
    "name",
    [
        "utf8-bom.yaml",
        "crlf.yaml",
        "merge-override.yaml",
    ],
)
def test_valid_variants_load_cleanly(name):
    path = BROKEN / "valid" / "personas" / name
    loaded = load_catalog([path])
    assert not loaded.problems, [str(p) for p in loaded.problems]
    assert len(loaded.personas) == 1


# ------------------------------------------------------------------------------------------------ the real CLI


def sparring(*args: str) -> subprocess.CompletedProcess:
    """The real command, run from this checkout (the ``sparring`` on PATH may be installed from another one)."""
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


CLI_CASES = [
    pytest.param(P + "syntax-bad-indent.yaml", id="syntax-error"),
    pytest.param(P + "unknown-key-nested.yaml", id="unknown-key"),
    pytest.param(P + "encoding-cp1251.yaml", id="non-utf8"),
    pytest.param(P + "binary-elf-junk.yaml", id="binary-junk"),
    pytest.param(P + "alias-bomb.yaml", id="alias-bomb"),
    pytest.param(P + "huge-file.yaml", id="huge-file"),
    pytest.param(S + "impossible-date.yaml", id="impossible-date"),
    pytest.param(P + "bad-bool-tag.yaml", id="bool-tag"),
    pytest.param(P + "control-character.yaml", id="control-character"),
]


@pytest.mark.parametrize("rel", CLI_CASES)
@pytest.mark.slow
def test_cli_prints_one_located_line(rel, generated, tmp_path):
    case = BY_PATH[rel]
    path = case_file(case, generated)
    empty = tmp_path / "empty-catalog"
    empty.mkdir()
    result = sparring("validate", "--catalog", str(empty), str(path))
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out
    assert result.returncode == 1, out  # a broken file is a failed check (1), not a bad argument (2)
    lines = result.stderr.splitlines()
    assert lines == [lines[0], t("validate.failed", count=1, lang="en")], out
    assert lines[0].startswith(f"{path}:"), out
    assert PROBLEM_FORMAT.match(lines[0]), out
    parts = PROBLEM_PARTS.match(lines[0].removeprefix(f"{path}:"))
    assert parts, out
    assert line_matches(case, int(parts["line"])), out
    assert field_matches(case, parts["field"]), out
    assert re.search(case.problem, parts["problem"], re.IGNORECASE), out


# ------------------------------------------------------------------------------------------------ properties

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LINE_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")


def check_problems(path: Path, raw: bytes, problems: list[CatalogError]) -> None:
    text = raw.decode("utf-8", errors="replace")
    last_line = max(len(LINE_BREAKS.findall(text)), raw.count(b"\n")) + 1
    for problem in problems:
        assert isinstance(problem, CatalogError)
        assert Path(problem.path) == path, str(problem)
        assert 1 <= problem.line <= last_line, str(problem)
        assert PROBLEM_FORMAT.match(str(problem)), repr(str(problem))


def load_bytes(raw: bytes, folder: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / folder / "fuzz.yaml" if folder else Path(tmp) / "fuzz.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        loaded = load_catalog([path])  # must not raise
        check_problems(path, raw, loaded.problems)


FOLDERS = st.sampled_from(["", "personas", "scenarios"])
# YAML-shaped soup, with scalars PyYAML's constructors choke on (impossible dates, '0b_', bad explicit tags).
# fmt: off
TOKENS = st.sampled_from([
    "id", "name", "lines", "speech", "chunks", "opening", "persona", "facts", "hidden", "en", "ru", "value",
    ":", ": ", "- ", "\n", "\n  ", "\n    ", "\t", " ", "[", "]", "{", "}", ",", "'", '"', "#", "---", "...",
    "&a ", "*a", "&b ", "*b", "<<: ", "!!str ", "!!map ", "!!seq ", "!custom ", "? ", "|", ">-", "%YAML 1.1\n",
    "{value}", "8", "0.3", "true", "null", "~", "=", "Дарья", "\ufeff", "\x00", "\x1b", "\u2028", "\r",
    "2024-02-30", "0b_", "0x_", "!!int ten", "!!bool maybe", "!!timestamp soon", "!!float x",
])
# fmt: on
TEXTS = st.one_of(st.text(max_size=200), st.lists(TOKENS, max_size=60).map("".join))


@PROPERTY
@given(text=TEXTS, folder=FOLDERS)
def test_any_text_gives_problems_not_exceptions(text, folder):
    load_bytes(text.encode("utf-8", errors="surrogatepass"), folder)


ANGRY = (SHIPPED / "personas" / "angry.yaml").read_bytes()


@st.composite
def mutated_persona(draw) -> bytes:
    """The shipped persona with random bytes spliced in (decode errors, NULs and breaks at real lines)."""
    start = draw(st.integers(0, len(ANGRY)))
    end = draw(st.integers(start, min(len(ANGRY), start + 20)))
    return ANGRY[:start] + draw(st.binary(max_size=12)) + ANGRY[end:]


@PROPERTY
@given(raw=st.one_of(st.binary(max_size=300), mutated_persona()), folder=FOLDERS)
def test_any_bytes_give_problems_not_exceptions(raw, folder):
    load_bytes(raw, folder)


# fmt: off
FIELD_NAMES = [
    "id", "name", "temperament", "intensity", "description", "patience", "speech", "verbosity", "chunks", "typos",
    "lines", "complain", "reveal", "en", "ru", "title", "language", "persona", "opening", "facts", "hidden",
    "volunteered", "ask", "value", "label", "required", "resolutions", "match", "example", "requires", "traps",
    "why", "end", "max_turns", "<<", "=", "on",
]
# fmt: on
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8), st.integers(-3, 3), st.booleans(), st.none())
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["{value}", "angry", "broken-prop", "en", "ru", "77-4410"]),
)
STRUCTURES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)
VALID_PERSONA = yaml.safe_load(ANGRY) | {"id": "broken-prop"}
VALID_SCENARIO = yaml.safe_load((SHIPPED / "scenarios" / "home-internet-down.yaml").read_bytes()) | {
    "id": "broken-prop",
    "persona": "broken-prop",
}


@st.composite
def mutated(draw, base: dict):
    """A valid document with one value somewhere inside replaced by a random structure (or deleted)."""
    doc = yaml.safe_load(yaml.safe_dump(base, allow_unicode=True))  # a deep copy
    node: dict | list = doc
    key = draw(st.sampled_from(list(node)))
    for _ in range(draw(st.integers(0, 3))):
        child = node[key]
        if not isinstance(child, dict | list) or not child:
            break
        node, key = child, draw(st.sampled_from(list(child) if isinstance(child, dict) else range(len(child))))
    if isinstance(node, dict) and draw(st.booleans()):
        del node[key]
    else:
        node[key] = draw(STRUCTURES)
    return doc


@PROPERTY
@given(persona=st.one_of(STRUCTURES, mutated(VALID_PERSONA)), scenario=st.one_of(STRUCTURES, mutated(VALID_SCENARIO)))
@pytest.mark.slow
def test_random_structures_give_problems_not_exceptions(persona, scenario):
    with tempfile.TemporaryDirectory() as tmp:
        files = {Path(tmp) / "personas" / "p.yaml": persona, Path(tmp) / "scenarios" / "s.yaml": scenario}
        for path, data in files.items():
            path.parent.mkdir()
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        loaded = load_catalog([Path(tmp) / "personas", Path(tmp) / "scenarios"])  # must not raise
        for path in files:
            check_problems(path, path.read_bytes(), [p for p in loaded.problems if Path(p.path) == path])
        assert all(Path(p.path) in files for p in loaded.problems)
