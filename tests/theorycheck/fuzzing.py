"""Hypothesis strategies and outcome checks for fuzzing ``theorycheck.query``, ``plan`` and
the CLI.

Calls are drawn from a paper's declared parameters (``Paper.parameters``: each a
:class:`~theorycheck.params.Param` with its kind and range) plus hostile values and names:

- in range: uniform and log-uniform values, the range's edges (``low``, ``high``, the next
  float beyond each, ``high - 1``), the choices;
- hostile: huge / tiny / negative / zero ints and floats (``10**400``, ``2**63``,
  ``5e-324``, ``-0.0``), nan and inf, bools, strings (numbers as text, code such as
  ``__import__('os')``), None, lists, tuples, dicts, complex, bytes, Decimal and Fraction,
  numpy scalars and 0-d / 1-d arrays, arbitrary Hypothesis integers, floats and text;
- names: the declared ones (required ones sometimes left out) and unknown ones (``paper``,
  ``self``, the empty string, near misses such as ``sigma0``).

An outcome is *accepted* (a :class:`~theorycheck.regime.RegimeReport` whose ``to_dict()`` is
strict JSON, whose text form renders, within the time limit), *refused* (a one-line
ValueError that names a parameter and says what is allowed) or a *failure* (anything else:
another exception type, a message naming no parameter, non-finite JSON, too slow). A census
runs a strategy for a fixed number of examples (derandomized, generation phase only: every
example is one call, and nothing is shrunk or replayed) and counts the outcomes.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from theorycheck.params import Param
from theorycheck.regime import RegimeReport

QUERY_SECONDS = 1.0
"""The target: every accepted query answers within this many seconds (wall clock, this
2-core machine). The census reports the slowest first call; the papers' own tests time their
largest regimes against it with the caches cleared."""
HANG_SECONDS = 60.0
"""What the fuzz census fails on: a first call this slow (a hang, or a size nobody limited).
The fuzz tests run beside other work on shared cores, where a call that takes 0.1 s alone
was seen to take 20 s with two BLAS threads (their synchronization under CPU contention), so
the 1 s target itself is not asserted per call here; the census reports the times."""

HOSTILE: tuple[Any, ...] = (
    None, True, False, 0, -0.0, 0.0, -1, 1, 2, -(2**63), 2**63, 2**64 + 1, 10**19, 10**400,
    -(10**400), 10**5000, math.nan, math.inf, -math.inf, 5e-324, -5e-324, 1e-300, 1e-30,
    1e300, 1.7976931348623157e308, -1e300, 0.5, 1.5, 2.5, 1e9, 5.6e8, "", " ", "5", "1e3",
    "nan", "inf", "L1", "rf", "__import__('os')", "__import__('os').system('true')",
    "2**10", "1+1", "x" * 300, [], [1], [1, 2], (1,), {}, {"a": 1}, {1}, 1j, b"5",
    Decimal("1e400"), Decimal("NaN"), Decimal("0.5"), Fraction(1, 3), np.int64(5),
    np.int64(-(2**63)), np.uint64(2**64 - 1), np.int8(-1), np.float64(math.nan),
    np.float64(math.inf), np.float32(1e38), np.float32(3.0), np.float16(0.5), np.bool_(True),
    np.str_("5"), np.complex128(1.0), np.array(5), np.array(0.5), np.array([5]), np.array([]),
    np.zeros((2, 2)), np.datetime64("2020-01-01"), object(), Ellipsis, float, print,
)

UNKNOWN_NAMES = ("paper", "self", "params", "kwargs", "", " ", "n ", "N", "P", "foo",
                 "sigma0", "design2", "__class__", "__import__('os')", "estimates", "eta",
                 "steps", "d", "k", "lam1", "beta_norm", "q", "K", "theta_norm", "mu")
"""Names no paper should accept as written, or that belong to another paper or model."""


# ---- values ---------------------------------------------------------------------------------

def _log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    lo = max(lo, 1e-300)
    return st.floats(math.log(lo), math.log(hi)).map(lambda u: min(max(math.exp(u), lo), hi))


def edges(spec: Param) -> list[Any]:
    """The values at and just beyond the edges of ``spec``'s range."""
    if spec.kind == "choice":
        return [*spec.choices, *(str(c).upper() for c in spec.choices), 0, "", None]
    out: list[Any] = []
    for bound in (spec.low, spec.high):
        if bound is None:
            continue
        out += [bound, math.nextafter(bound, -math.inf), math.nextafter(bound, math.inf),
                bound * (1 - 1e-12), bound * (1 + 1e-12)]
        if spec.kind == "int":
            b = int(bound)
            out += [b, b - 1, b + 1, float(b), np.int64(b)]
    return out


def in_range(spec: Param) -> st.SearchStrategy[Any]:
    """Values inside ``spec``'s range (its choices for a choice), biased to the edges."""
    if spec.kind == "choice":
        return st.sampled_from(spec.choices)
    lo = -1e12 if spec.low is None else spec.low
    hi = 1e12 if spec.high is None else spec.high
    if spec.kind == "int":
        lo_i, hi_i = math.ceil(lo), math.floor(hi)
        logs = _log_uniform(max(lo_i, 1), max(hi_i, 1)).map(round)
        return st.one_of(st.integers(lo_i, hi_i), logs.filter(lambda v: lo_i <= v <= hi_i),
                         st.sampled_from([lo_i, hi_i, hi_i - 1, min(lo_i + 1, hi_i)]))
    floats = st.floats(lo, hi, exclude_min=spec.low_open, exclude_max=spec.high_open)
    strategies = [floats]
    if hi > 0:
        strategies.append(_log_uniform(max(lo, hi * 1e-12), hi).filter(
            lambda v: (v > lo if spec.low_open else v >= lo)))
    return st.one_of(*strategies)


def hostile() -> st.SearchStrategy[Any]:
    """Values no numeric parameter should accept as they are (a few may be in range)."""
    return st.one_of(st.sampled_from(HOSTILE), st.integers(), st.floats(),
                     st.text(max_size=12), st.none(), st.booleans())


def value_for(spec: Param) -> st.SearchStrategy[Any]:
    """Mostly in range (accepted calls reach the computations), else edges and hostile."""
    return st.one_of(in_range(spec), in_range(spec), in_range(spec),
                     st.sampled_from(edges(spec)), hostile())


# ---- calls ----------------------------------------------------------------------------------

def _by_name(specs: Sequence[Param]) -> dict[str, list[Param]]:
    out: dict[str, list[Param]] = {}
    for spec in specs:
        out.setdefault(spec.name, []).append(spec)
    return out


Signatures = Sequence[Sequence[Param]]
"""The parameter sets a query accepts, one per model (``Paper.query_parameters``)."""


@st.composite
def query_kwargs(draw: st.DrawFn, signatures: Signatures) -> dict[str, Any]:
    """A keyword dict for ``query``: the names of one signature (each present with
    probability 3/4, required ones too, so that missing ones are tried); in half the calls
    every value is in range, in the other half values may be hostile and a name of another
    signature or an unknown name may be added."""
    chosen = draw(st.sampled_from(list(signatures))) if signatures else ()
    clean = draw(st.booleans())
    kwargs: dict[str, Any] = {}
    for name, options in sorted(_by_name(chosen).items()):
        if draw(st.integers(0, 3)) == 0:
            continue
        spec = draw(st.sampled_from(options))
        kwargs[name] = draw(in_range(spec) if clean else value_for(spec))
    if not clean and draw(st.integers(0, 3)) == 0:
        _add_unknown(draw, signatures, kwargs)
    return kwargs


def _add_unknown(draw: st.DrawFn, signatures: Signatures, kwargs: dict[str, Any]) -> None:
    """Add an unknown name, a near miss or a name of another signature to ``kwargs``."""
    every = sorted({s.name for sig in signatures for s in sig})
    name = draw(st.one_of(st.sampled_from(UNKNOWN_NAMES), st.text(max_size=8),
                          st.sampled_from(every or ["x"]),
                          st.sampled_from(every or ["x"]).map(str.upper)))
    kwargs[name] = draw(st.one_of(hostile(), st.integers(1, 100)))


@st.composite
def plan_kwargs(draw: st.DrawFn, signatures: Signatures, most: int = 3) -> dict[str, Any]:
    """A keyword dict for ``plan``: at most ``most`` names of one signature (a planner keeps
    what it is given and plans the rest, so the fewer are fixed the more plans exist); in
    half the calls every value is in range, in the other half values may be edges or
    hostile and an unknown name may be added."""
    by_name = _by_name(draw(st.sampled_from(list(signatures))) if signatures else ())
    names = draw(st.lists(st.sampled_from(sorted(by_name) or ["x"]), max_size=most,
                          unique=True))
    clean = draw(st.booleans())
    kwargs: dict[str, Any] = {}
    for name in names if by_name else []:
        spec = draw(st.sampled_from(by_name[name]))
        kwargs[name] = draw(in_range(spec) if clean else value_for(spec))
    if not clean and draw(st.integers(0, 3)) == 0:
        _add_unknown(draw, signatures, kwargs)
    return kwargs


def _as_text(value: Any) -> str:
    """A value as the command line carries it (``repr`` keeps every digit of a float)."""
    return repr(value) if isinstance(value, float) else str(value)


TEXT_VALUES = ("", " ", "=", "==1", "nan", "-nan", "inf", "-inf", "Infinity", "1e400",
               "-1e400", "1e-400", "-0", "-0.0", "0x10", "0b1", "1_000", "1,5", "１２",
               "٣", "5e", ".", "e5", "+5", "--5", "None", "True", "[1]", "{}", "9" * 5000,
               "__import__('os')", "__import__('os').system('true')", "2**10", "1+1",
               "$(touch x)", "`id`", "\\x00", "rf", "L1", "isotropic", "two_level")


@st.composite
def cli_argv(draw: st.DrawFn, paper: str, signatures: Signatures) -> list[str]:
    """An argv for ``theorycheck.cli.main``: ``query <paper> name=value ...`` (the names of
    one signature). In half the calls every value is an in-range number as text (``--json``
    sometimes added); in the other half values may be edges or hostile text, and a malformed
    pair, an unknown option or another paper key may come in."""
    by_name = _by_name(draw(st.sampled_from(list(signatures))) if signatures else ())
    clean = draw(st.booleans())
    pairs = []
    for name, options in sorted(by_name.items()):
        if draw(st.integers(0, 2)) == 0:
            continue
        spec = draw(st.sampled_from(options))
        text = in_range(spec).map(_as_text)
        if not clean:
            text = st.one_of(text, st.sampled_from(edges(spec)).map(_as_text),
                             st.sampled_from(TEXT_VALUES), st.text(max_size=10))
        pairs.append(f"{name}={draw(text)}")
    extras = ["--json"] if clean else [
        "noequals", "=5", "foo=1", "paper=1", " =1", "n", "--json", "--nope", "-x",
        "--debug=1", "--", "--help=no", "p=1=2"]
    if draw(st.booleans()):
        pairs.insert(draw(st.integers(0, len(pairs))), draw(st.sampled_from(extras)))
    key = paper if clean else draw(st.sampled_from([paper, paper, "nopaper", "", "-", "X"]))
    return ["query", key, *pairs]


# ---- outcomes -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one call did: ``kind`` is accepted, refused or failure; ``detail`` says why."""

    kind: str
    detail: str = ""
    seconds: float = 0.0


REFUSALS = ("must be", "allowed", "required")
"""What a refusal says besides the parameter's name: what is allowed."""


def names_a_parameter(message: str, names: Sequence[str],
                      refusals: Sequence[str] = REFUSALS) -> bool:
    """Whether ``message`` names one of ``names`` (as a word, or quoted) and says what is
    allowed (one of ``refusals``)."""
    named = any(repr(name) in message or (
        name.strip() and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message))
        for name in names)
    return bool(named) and any(w in message for w in refusals)


def _all_finite_or_none(obj: Any) -> bool:
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_all_finite_or_none(v) for v in obj.values())
    if isinstance(obj, list | tuple):
        return all(_all_finite_or_none(v) for v in obj)
    return obj is None or isinstance(obj, str | int | bool)


def check_report(report: Any) -> str:
    """'' when ``report`` is a well-formed RegimeReport, else what is wrong with it."""
    if not isinstance(report, RegimeReport):
        return f"returned {type(report).__name__}, not a RegimeReport"
    d = report.to_dict()
    try:
        text = json.dumps(d, allow_nan=False)
    except (TypeError, ValueError) as err:
        return f"to_dict() is not strict JSON: {err}"
    if not _all_finite_or_none(json.loads(text)):
        return "to_dict() holds a non-JSON value"
    for key, value in d["predictions"].items():
        if value is None and not any(key in w for w in d["warnings"]):
            return f"prediction {key} is null with no warning"
    for cond in d["conditions"]:
        for part in ("lhs", "rhs", "margin"):
            if cond[part] is None and not any(cond["name"] in w for w in d["warnings"]):
                return f"condition {cond['name']} {part} is null with no warning"
    for key, value in report.predictions.items():
        if isinstance(value, str) and value.lower().lstrip("+-") in ("nan", "inf", "zoo"):
            return f"prediction {key} is the string {value!r}"
    str(report)
    return ""


def query_outcome(query: Callable[..., Any], paper: str, kwargs: dict[str, Any],
                  names: Sequence[str], limit: float = HANG_SECONDS,
                  refusals: Sequence[str] = REFUSALS) -> Outcome:
    """Call ``query(paper, **kwargs)`` (or ``plan``) and classify it (an accepted call
    slower than ``limit`` seconds is a failure; a refusal names a parameter and says one of
    ``refusals``)."""
    start = time.perf_counter()
    try:
        report = query(paper, **kwargs)
    except ValueError as err:
        message = str(err)
        if "\n" in message:
            return Outcome("failure", f"ValueError on several lines: {message[:200]!r}")
        if not names_a_parameter(message, [*names, *map(str, kwargs)], refusals):
            return Outcome("failure", f"ValueError naming no parameter: {message[:200]}")
        return Outcome("refused", message, time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - any other exception is the failure counted
        return Outcome("failure", f"{type(err).__name__}: {str(err)[:200]}")
    seconds = time.perf_counter() - start
    problem = check_report(report)
    if problem:
        return Outcome("failure", problem, seconds)
    if seconds > limit:
        return Outcome("failure", f"slow: {seconds:.2f} s > {limit} s", seconds)
    return Outcome("accepted", "", seconds)


def cli_outcome(main: Callable[[list[str]], int], argv: list[str]) -> Outcome:
    """Run ``main(argv)`` with captured stdout / stderr. Accepted: exit 0 and output (strict
    JSON with ``--json``). Refused: a non-zero exit with exactly one line on stderr, no
    traceback and nothing on stdout. Anything else (an exception escaping ``main``, a
    traceback, several lines) is a failure."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:  # argparse usage errors exit through SystemExit
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # noqa: BLE001
        return Outcome("failure", f"{type(exc).__name__} escaped main: {str(exc)[:200]}")
    seconds = time.perf_counter() - start
    stdout, stderr = out.getvalue(), err.getvalue()
    if "Traceback" in stderr or "Traceback" in stdout:
        return Outcome("failure", f"traceback: {stderr[-300:]!r}")
    if code == 0:
        if "--json" in argv and "--help" not in " ".join(argv):
            try:
                json.loads(stdout, parse_constant=_no_constant)
            except ValueError as exc:
                return Outcome("failure", f"--json output is not strict JSON: {exc}")
        if stderr.strip() or not stdout.strip():
            return Outcome("failure", f"exit 0 with stderr {stderr[:200]!r}")
        return Outcome("accepted", "", seconds)
    lines = stderr.strip().splitlines()
    if len(lines) != 1 or stdout.strip():
        return Outcome("failure", f"exit {code} with stderr {stderr[:300]!r}, "
                                  f"stdout {stdout[:100]!r}")
    return Outcome("refused", lines[0], seconds)


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-finite constant {name} in JSON")


# ---- census ---------------------------------------------------------------------------------

@dataclass
class Census:
    """Counts of outcomes over ``calls`` examples, the slowest accepted call, and up to
    ``keep`` failing examples of each class of failure with what went wrong."""

    calls: int = 0
    kinds: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    examples: list[tuple[Any, str]] = field(default_factory=list)
    accepted_seconds: list[float] = field(default_factory=list)
    slowest: list[tuple[float, Any]] = field(default_factory=list)
    keep: int = 3

    @property
    def max_accepted_seconds(self) -> float:
        return max(self.accepted_seconds, default=0.0)

    def quantile(self, q: float) -> float:
        """The q-quantile of the accepted calls' times (0 when none was accepted)."""
        times = sorted(self.accepted_seconds)
        return times[min(len(times) - 1, int(q * len(times)))] if times else 0.0

    def add(self, example: Any, outcome: Outcome) -> None:
        self.calls += 1
        self.kinds[outcome.kind] += 1
        if outcome.kind == "accepted":
            self.accepted_seconds.append(outcome.seconds)
            self.slowest = sorted([*self.slowest, (outcome.seconds, example)],
                                  key=lambda t: -t[0])[: self.keep]
        if outcome.kind == "failure":
            kind = _failure_class(outcome.detail)
            self.failures[kind] += 1
            if self.failures[kind] <= self.keep:
                self.examples.append((example, outcome.detail))

    def summary(self) -> str:
        head = (f"{self.calls} calls: {self.kinds['accepted']} accepted, "
                f"{self.kinds['refused']} refused, {self.kinds['failure']} failures; "
                f"accepted in {self.quantile(0.5):.3f} s (median), {self.quantile(0.99):.3f} s "
                f"(99%), {self.max_accepted_seconds:.3f} s (slowest)")
        kinds = "".join(f"\n  {n} x {k}" for k, n in self.failures.most_common())
        shown = "".join(f"\n  e.g. {safe_repr(ex)[:300]} -> {why[:300]}"
                        for ex, why in self.examples)
        slow = "".join(f"\n  slow: {t:.3f} s {safe_repr(ex)[:300]}" for t, ex in self.slowest)
        return head + kinds + shown + slow


def safe_repr(obj: Any) -> str:
    """``repr`` that also works for ints beyond Python's 4300-digit string limit."""
    try:
        return repr(obj)
    except ValueError:
        if isinstance(obj, dict):
            return "{" + ", ".join(f"{k!r}: {safe_repr(v)}" for k, v in obj.items()) + "}"
        if isinstance(obj, int):
            return f"<int of {obj.bit_length()} bits>"
        return f"<unprintable {type(obj).__name__}>"


def _failure_class(detail: str) -> str:
    """A failure's class for counting: its exception type or problem, without the values."""
    head = re.split(r"[:(]", detail, maxsplit=1)[0]
    return head.strip() or detail[:40]


def run_census(strategy: st.SearchStrategy[Any], call: Callable[[Any], Outcome],
               examples: int) -> Census:
    """Draw ``examples`` values from ``strategy`` (derandomized: the same values on every
    run, generation phase only) and classify each ``call(value)``."""
    census = Census()

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one(example: Any) -> None:
        census.add(example, call(example))

    one()
    return census
