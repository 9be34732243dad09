"""Typed, validated parameters: the one validation layer of every paper.

A paper declares its model's parameters once, as the fields of a frozen :class:`ModelConfig`
subclass built with :func:`param`. Constructing the config validates every field (and the
relations between fields, in ``relations``); ``query``, the claims' sweeps and the simulator
all read the same config, so every entry point refuses the same bad input with the same
ValueError, which names the parameter and its allowed range. User strings are parsed as
numbers or names (:func:`parse_value`), never evaluated.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

Kind = Literal["int", "float", "choice"]
MISSING = dataclasses.MISSING


@dataclass(frozen=True)
class Param:
    """One parameter: its kind and allowed range (``low < x`` when ``low_open``).

    ``high`` also bounds what the tool agrees to compute: a size beyond it is refused by name
    rather than attempted. A parameter without a default is required unless ``optional``
    (then a missing value is None and the owner resolves it).
    """

    name: str
    kind: Kind
    description: str = ""
    default: Any = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[Any, ...] = ()
    optional: bool = False

    def allowed(self) -> str:
        """The allowed values in words, e.g. ``an integer in [1, 1e+06]``."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        left = "(" if self.low_open or self.low is None else "["
        right = ")" if self.high_open or self.high is None else "]"
        what = "an integer" if self.kind == "int" else "a finite number"
        return f"{what} in {left}{lo}, {hi}{right}"

    def error(self, value: Any) -> ValueError:
        """The ValueError for a refused ``value``: one line naming this parameter and its
        range (the value shown short, whatever it is)."""
        return ValueError(f"{self.name} must be {self.allowed()}, got {shown(value)}")

    def check(self, value: Any) -> Any:
        """The validated value (an int, a float or one of the choices); a ValueError naming
        this parameter and its range otherwise. Bounds are compared before any conversion,
        so a huge integer is refused, never overflowed."""
        if self.kind == "choice":
            if isinstance(value, str | int | float) and value in self.choices:
                return self.choices[self.choices.index(value)]  # the declared object itself
            raise self.error(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            if not (hasattr(value, "item") and getattr(value, "ndim", 1) == 0):
                raise self.error(value)
            value = value.item()  # a numpy scalar
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.error(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(value)
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            raise self.error(value)
        if self.high is not None and (value > self.high
                                      or (self.high_open and value == self.high)):
            raise self.error(value)
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise self.error(value)
            return int(value)
        return float(value) + 0.0  # -0.0 becomes 0.0


def param(default: Any = MISSING, *, kind: Kind, description: str = "",
          low: float | None = None, high: float | None = None, low_open: bool = False,
          high_open: bool = False, choices: Sequence[Any] = (), optional: bool = False) -> Any:
    """A :class:`ModelConfig` field declared with its :class:`Param` spec (the field's name
    becomes the parameter's name)."""
    spec = Param("", kind, description, None if default is MISSING else default, low, high,
                 low_open, high_open, tuple(choices), optional)
    return dataclasses.field(default=default, metadata={"param": spec})


C = TypeVar("C", bound="ModelConfig")


@dataclass(frozen=True)
class ModelConfig:
    """Base of a paper's typed model configuration: frozen, validated on construction.

    Subclasses are ``@dataclass(frozen=True)`` with fields declared by :func:`param`, and may
    override ``relations`` for checks between fields (e.g. ``s <= p``). ``to_dict`` is the
    JSON-able form that names a run in the results store.
    """

    _specs: ClassVar[dict[type, tuple[Param, ...]]] = {}

    def __post_init__(self) -> None:
        for spec in self.parameters():
            value = getattr(self, spec.name)
            if value is None and spec.optional:
                continue
            object.__setattr__(self, spec.name, spec.check(value))
        self.relations()

    def relations(self) -> None:
        """Checks between fields; raise ValueError naming the parameter and its range."""

    @classmethod
    def parameters(cls) -> tuple[Param, ...]:
        """The declared parameters, in field order, with their names filled in."""
        if cls not in ModelConfig._specs:
            ModelConfig._specs[cls] = tuple(
                dataclasses.replace(f.metadata["param"], name=f.name)
                for f in dataclasses.fields(cls) if "param" in f.metadata)
        return ModelConfig._specs[cls]

    @classmethod
    def parameter(cls, name: str) -> Param:
        """The spec of the parameter ``name``; ValueError listing the known ones."""
        for spec in cls.parameters():
            if spec.name == name:
                return spec
        raise ValueError(f"unknown parameter {shown(name, 200)}; allowed: "
                         f"{sorted(s.name for s in cls.parameters())}")

    @classmethod
    def checked(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """Some of the parameters, validated one by one as construction validates them (a
        None value counts as not given; the relations wait for a whole config): the
        validated values by name. Unknown names raise ValueError listing the allowed ones;
        a bad value, ValueError naming its parameter and range."""
        names = {s.name for s in cls.parameters()}
        unknown = sorted(set(values) - names, key=repr)
        if unknown:
            raise ValueError(f"unknown parameter(s) {shown(unknown, 200)}; "
                             f"allowed: {sorted(names)}")
        return {s.name: s.check(values[s.name]) for s in cls.parameters()
                if s.name in values and values[s.name] is not None}

    @classmethod
    def from_mapping(cls: type[C], values: Mapping[str, Any]) -> C:
        """A config from a mapping (:meth:`checked`; a bad value is named before a missing
        parameter); a missing required one raises ValueError naming it and its range."""
        given = cls.checked(values)
        for f in dataclasses.fields(cls):
            if (f.name not in given and f.init and f.default is MISSING
                    and f.default_factory is MISSING):
                raise ValueError(f"{f.name} is required: {cls.parameter(f.name).allowed()}")
        return cls(**given)

    def replace(self: C, **changes: Any) -> C:
        """A copy with ``changes``, validated again."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-able dict (the content of a run's hash)."""
        return {s.name: getattr(self, s.name) for s in self.parameters()}


def clipped(text: str, width: int = 200) -> str:
    """``text`` cut to its first ``width`` characters, with an ellipsis and its length when
    it is longer (``'aaaa... (1000000 characters)'``): how echoed user input is shown."""
    return text if len(text) <= width else f"{text[:width]}... ({len(text)} characters)"


def shown(value: Any, width: int = 40) -> str:
    """``repr(value)`` on one line, :func:`clipped` to ``width`` characters; also for values
    whose repr fails (an int beyond Python's 4300-digit string limit) or spans lines (an
    array)."""
    try:
        text = " ".join(repr(value).split())
    except Exception:  # noqa: BLE001 - any repr failure: describe the value instead
        text = (f"<int of {value.bit_length()} bits>" if isinstance(value, int)
                else f"<{type(value).__name__}>")
    return clipped(text, width)


def described(err: BaseException, width: int = 300) -> str:
    """``Type: message`` of an exception on one line, :func:`clipped` to ``width``
    characters (an error raised by plugin code, quoted by the error or verdict that names
    the plugin)."""
    return clipped(f"{type(err).__name__}: {' '.join(str(err).split())}".rstrip(": "), width)


def parse_value(text: str) -> int | float | str:
    """A command-line value: an int, a float (``1e-3``, ``nan``, ``inf`` included), or a bare
    name. Nothing is evaluated: ``2**10`` stays the string ``"2**10"`` and fails validation
    as a number."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text
