"""Scenario files: the schema, loading with line-numbered messages, and cross-field checks.

A scenario names two parties, the levers each controls (options with payoffs to both), the
non-additive interactions between levers, the threat point rule and the strategist's prior.
See DESIGN.md section 3 and ``negotiate new`` for a commented example.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from negotiate.dates import parse_date
from negotiate.errors import Problem, ScenarioError
from negotiate.yamlsource import YamlDocument, read_yaml

# Past this many pure strategies for one party the posture game stops being a readable analysis.
MAX_STRATEGIES = 4096


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# ---------------------------------------------------------------- value parsers (clean messages)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PydanticCustomError("number", "found {found}; expected a number", {"found": _show(value)})
    return float(value)


def _date(value: Any) -> dt.date:
    if isinstance(value, (str, dt.date)):
        try:
            return parse_date(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "found {found}; expected a date as YYYY-MM-DD", {"found": _show(value)})


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("text", "found {found}; expected text", {"found": _show(value)})
    return value


Number = Annotated[float, BeforeValidator(_number)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Text = Annotated[str, BeforeValidator(_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- payoff distributions


class Normal(_Strict):
    """Normally distributed payoff."""

    mean: Number
    sd: Number

    def point(self) -> float:
        return self.mean


class Uniform(_Strict):
    """Uniformly distributed payoff on [low, high]."""

    low: Number
    high: Number

    def point(self) -> float:
        return (self.low + self.high) / 2


class Triangular(_Strict):
    """Triangular payoff distribution on [low, high] with its peak at ``mode``."""

    low: Number
    mode: Number
    high: Number

    def point(self) -> float:
        return (self.low + self.mode + self.high) / 3


@dataclass(frozen=True)
class Fixed:
    """A payoff known exactly."""

    value: float

    def point(self) -> float:
        return self.value


Payoff = Fixed | Normal | Uniform | Triangular
_PAYOFF_FORMS = {frozenset({"mean", "sd"}): Normal, frozenset({"low", "high"}): Uniform,
                 frozenset({"low", "mode", "high"}): Triangular}
_PAYOFF_EXPECTED = "a number, {mean, sd}, {low, high} or {low, mode, high}"


def _payoff(value: Any) -> Payoff:
    if isinstance(value, (Fixed, Normal, Uniform, Triangular)):
        return value
    if isinstance(value, dict):
        form = _PAYOFF_FORMS.get(frozenset(value))
        if form is None:
            keys = ", ".join(sorted(map(str, value)))
            raise PydanticCustomError(
                "payoff", "found a mapping with keys {keys}; expected " + _PAYOFF_EXPECTED, {"keys": keys}
            )
        numbers = {}
        for key, raw in value.items():
            try:
                numbers[key] = _number(raw)
            except PydanticCustomError:
                raise PydanticCustomError(
                    "payoff", "found {found} for {key}; expected a number", {"found": _show(raw), "key": key}
                ) from None
        dist = form(**numbers)
        problem = _payoff_problem(dist)
        if problem:
            raise PydanticCustomError("payoff", problem)
        return dist
    try:
        fixed = Fixed(_number(value))
    except PydanticCustomError:
        raise PydanticCustomError(
            "payoff", "found {found}; expected " + _PAYOFF_EXPECTED, {"found": _show(value)}
        ) from None
    problem = _payoff_problem(fixed)
    if problem:
        raise PydanticCustomError("payoff", problem)
    return fixed


# Payoffs are changes against the status quo on a scale the strategist chooses (about ten for the
# largest lever is typical); beyond this, sums, squares and products of payoffs lose all precision or overflow.
MAX_PAYOFF = 1_000_000.0


def _payoff_problem(dist: Payoff) -> str | None:
    for name, x in dataclasses.asdict(dist).items() if isinstance(dist, Fixed) else dist.model_dump().items():
        if abs(x) > MAX_PAYOFF:
            shown = "" if isinstance(dist, Fixed) else f"{name} "
            return (f"found {shown}{x:g}; expected a number of at most {MAX_PAYOFF:,.0f} in absolute value "
                    "(payoffs are changes against the status quo on a scale you choose)")
    if isinstance(dist, Normal) and dist.sd < 0:
        return f"found sd {dist.sd:g}; expected a standard deviation of 0 or more"
    if isinstance(dist, Uniform) and dist.low > dist.high:
        return f"found low {dist.low:g} > high {dist.high:g}; expected low <= high"
    if isinstance(dist, Triangular) and not dist.low <= dist.mode <= dist.high:
        return (f"found low {dist.low:g}, mode {dist.mode:g}, high {dist.high:g}; "
                "expected low <= mode <= high")
    return None


PayoffField = Annotated[Payoff, BeforeValidator(_payoff)]


# ---------------------------------------------------------------- schema


def _open_unit(name: str):
    def check(value: Any) -> float:
        x = _number(value)
        if not 0.0 < x < 1.0:
            raise PydanticCustomError(
                "range", "found {found}; expected " + name + " strictly between 0 and 1", {"found": _show(value)}
            )
        return x

    return BeforeValidator(check)


def _between(low: float, high: float, name: str):
    """A number in [low, high]: the prior's bounds, inside which its Beta distribution stays computable."""

    def check(value: Any) -> float:
        x = _number(value)
        if not low <= x <= high:
            raise PydanticCustomError("range", "found {found}; expected " + f"{name} from {low:g} to {high:,g}",
                                      {"found": _show(value)})
        return x

    return check


def _positive(value: Any) -> float:
    x = _number(value)
    if x <= 0:
        raise PydanticCustomError("range", "found {found}; expected a number above 0", {"found": _show(value)})
    return x


class Party(_Strict):
    """One side of the negotiation."""

    name: Text = Field(description="the party's full name")
    patience: Annotated[float, _open_unit("a per-round discount factor")] = Field(
        description="a per-round discount factor in (0, 1)"
    )
    power: Annotated[float, BeforeValidator(_positive)] = Field(
        1.0, description="bargaining power, a weight above 0"
    )
    aliases: list[Text] = Field(
        default_factory=list, description="other codes or names event data uses for the party"
    )


class Lever(_Strict):
    """A policy instrument one party controls, with its options and their payoffs."""

    owner: Text = Field(description="the id of the party that controls this lever")
    description: Text = ""
    status_quo: Text | None = None
    options: dict[str, dict[str, PayoffField]] = Field(
        description="two or more options, each mapping every party to a payoff"
    )
    labels: dict[str, Text] = Field(default_factory=dict)

    def words(self, option: str) -> str:
        """The option as a phrase for predicted terms."""
        return self.labels.get(option, option.replace("_", " "))


class Interaction(_Strict):
    """A payoff added when several levers take given options together."""

    when: dict[str, Text] = Field(description="a mapping of lever to option")
    payoffs: dict[str, PayoffField] = Field(description="a payoff for every party")
    note: Text = ""


class CustomEventType(_Strict):
    """An event type a scenario adds to the catalogue."""

    direction: Literal["cooperative", "conflictual"] = Field(description="cooperative or conflictual")
    meaning: Text = Field(description="a one-line meaning")


class Prior(_Strict):
    """The strategist's P(deal) before the first ledger event, and how much it weighs.

    ``source: game`` takes the prior mean from the game instead: P(zone of agreement non-empty)
    over payoff draws (``solve --draws``).
    """

    deal_probability: Annotated[float, BeforeValidator(_between(0.001, 0.999, "a probability"))] | None = Field(
        None, description="a probability from 0.001 to 0.999"
    )
    strength: Annotated[float, BeforeValidator(_between(0.01, 10_000, "a weight in pseudo-observations"))] = Field(
        4.0, description="the prior's weight in pseudo-observations, from 0.01 to 10,000"
    )
    source: Literal["strategist", "game"] = "strategist"


# What kind of negotiation and deadline: the deal model learns from these in the reference class.
DOMAINS = ("trade", "fiscal", "labour", "arms_control", "sovereign_debt", "conflict", "eu_treaty", "other")
DEADLINE_KINDS = ("measure", "expiry", "summit", "payment", "ultimatum", "other")


class Setting(_Strict):
    """What is known at the start about the negotiation and its deadline (the deal model uses it)."""

    domain: Literal["trade", "fiscal", "labour", "arms_control", "sovereign_debt", "conflict", "eu_treaty", "other"] = Field(
        "other", description="one of: " + ", ".join(DOMAINS))
    deadline_kind: Literal["measure", "expiry", "summit", "payment", "ultimatum", "other"] = Field(
        "other", description="one of: " + ", ".join(DEADLINE_KINDS))
    summit_at_deadline: bool = Field(False, description="true if a leaders' meeting is scheduled at the deadline")


def _threat(value: Any) -> Any:
    if value in ("equilibrium", "status_quo"):
        return value
    if isinstance(value, dict):
        return {k: _number(v) for k, v in value.items()}
    raise PydanticCustomError(
        "threat",
        "found {found}; expected equilibrium, status_quo or a mapping of every party to a number",
        {"found": _show(value)},
    )


class Scenario(_Strict):
    """A negotiation as a strategist describes it; see DESIGN.md section 3."""

    schema_: Literal[1] = Field(alias="schema", description="the schema version, 1")
    id: Annotated[str, BeforeValidator(_text)] = Field(description="a short slug such as us-china-kl-2025")
    title: Text = Field(description="a title")
    question: Text = Field(description="the yes/no question the forecast answers")
    as_of: Date = Field(description="the date the scenario describes, YYYY-MM-DD")
    deadline: Date = Field(description="the date the question resolves by, YYYY-MM-DD")
    description: Text = ""
    parties: dict[str, Party] = Field(description="exactly two parties")
    levers: dict[str, Lever] = Field(description="the levers, one owner each")
    interactions: list[Interaction] = Field(default_factory=list)
    threat: Annotated[Any, BeforeValidator(_threat)] = "equilibrium"
    prior: Prior | None = None
    setting: Setting = Field(default_factory=lambda: Setting())
    evidence: Text | None = None
    third_parties: dict[str, Text] = Field(
        default_factory=dict, description="other actors the ledger may name: id -> name"
    )
    event_types: dict[str, CustomEventType] = Field(default_factory=dict)

    # Set by load_scenario: the file it came from, for relative paths and messages.
    source_path: Path | None = Field(default=None, exclude=True)

    @property
    def party_ids(self) -> list[str]:
        return list(self.parties)

    def levers_of(self, party: str) -> list[str]:
        """Lever ids owned by ``party``, in file order."""
        return [name for name, lever in self.levers.items() if lever.owner == party]

    def actors(self) -> list[str]:
        """Ids an event's actor or target may take: the parties, then declared third parties."""
        return self.party_ids + [t for t in self.third_parties if t not in self.parties]

    def actor_names(self) -> dict[str, str]:
        """Each actor id and its name (a party's ``name``, a third party's description)."""
        names = {p: self.parties[p].name for p in self.party_ids}
        return names | {t: self.third_parties[t] for t in self.actors() if t not in names}

    def actor_id(self, text: str) -> str | None:
        """The actor id that ``text`` names: the id, or its name, in any case ("us", "Boeing"); None if none does."""
        wanted = text.strip().casefold()
        for ident, name in self.actor_names().items():
            if wanted in (ident.casefold(), name.strip().casefold()):
                return ident
        return None

    def evidence_path(self) -> Path | None:
        """The ledger file, relative to the scenario file, made absolute without following links
        (a ledger that is a symbolic link is then refused by writes, never written through)."""
        if self.evidence is None:
            return None
        base = self.source_path.parent if self.source_path else Path.cwd()
        return Path(os.path.abspath(base / self.evidence))


# ---------------------------------------------------------------- pydantic errors -> problems


def _model_at(loc: tuple) -> Any:
    """The pydantic model class that validates the mapping at ``loc`` (for did-you-mean hints)."""
    t: Any = Scenario
    for part in loc:
        if isinstance(t, type) and issubclass(t, BaseModel):
            name = "schema_" if part == "schema" else part
            f = t.model_fields.get(name)
            if f is None:
                return None
            t = f.annotation
        elif get_origin(t) is dict:
            t = get_args(t)[1]
        elif get_origin(t) is list:
            t = get_args(t)[0]
        while get_origin(t) in (Union, Annotated) or type(t).__name__ == "UnionType":
            args = [a for a in get_args(t) if isinstance(a, type) and issubclass(a, BaseModel)]
            if get_origin(t) is Annotated:
                t = get_args(t)[0]
                continue
            t = args[0] if args else None
            break
    return t if isinstance(t, type) and issubclass(t, BaseModel) else None


def _keys_of(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items() if name != "source_path"]


def schema_keys_at(path: tuple) -> list[str] | None:
    """The keys the schema allows in the mapping at ``path`` (a party, a lever, ...), or None when free."""
    model = _model_at(tuple(path))
    return _keys_of(model) if model else None


def did_you_mean(word: object, choices: list[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the closest choice (similarity at least ``cutoff``), or the list of choices."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=cutoff)
    if close:
        return f"did you mean '{close[0]}'?"
    return "expected one of: " + ", ".join(map(str, choices))


def _problem_from_pydantic(err: ErrorDetails) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    found = err.get("input")
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        hint = did_you_mean(loc[-1], _keys_of(model)) if model else "remove it"
        return Problem(loc, f"unknown key '{loc[-1]}'; {hint}")
    if kind == "missing":
        model = _model_at(loc[:-1])
        field = model.model_fields.get("schema_" if loc[-1] == "schema" else loc[-1]) if model else None
        expected = field.description if field and field.description else "a value"
        return Problem(loc, f"missing; expected {expected}")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Problem(loc, f"found {_show(found)}; expected a mapping of keys to values")
    if kind == "list_type":
        return Problem(loc, f"found {_show(found)}; expected a list")
    if kind == "literal_error":
        return Problem(loc, f"found {_show(found)}; expected {err['ctx']['expected']}")
    if kind in ("number", "date", "text", "payoff", "range", "threat"):
        return Problem(loc, err["msg"])
    return Problem(loc, f"found {_show(found)}; {err['msg'][0].lower()}{err['msg'][1:]}")


# ---------------------------------------------------------------- cross-field checks on raw data


def _cross_checks(data: dict) -> list[Problem]:
    """Checks that span fields; defensive about types so they run even when the schema fails."""
    problems: list[Problem] = []
    parties = data.get("parties")
    party_ids = [str(p) for p in parties] if isinstance(parties, dict) else []
    if isinstance(parties, dict) and len(parties) != 2:
        listed = ", ".join(party_ids) or "none"
        problems.append(
            Problem(("parties",), f"found {len(parties)} parties ({listed}); expected exactly two (the games are two-player)")
        )
    sid = data.get("id")
    if isinstance(sid, str) and not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", sid):
        problems.append(Problem(("id",), f"found {sid!r}; expected a slug of lower-case letters, digits, '-', '_' or '.'"))

    raw_levers = data.get("levers")
    levers: dict[Any, Any] = raw_levers if isinstance(raw_levers, dict) else {}
    if isinstance(raw_levers, dict) and not levers:
        problems.append(Problem(("levers",), "found no levers; expected at least one lever"))

    def check_payoff_parties(payoffs: Any, path: tuple) -> None:
        if not isinstance(payoffs, dict) or not party_ids:
            return
        for party in payoffs:
            if str(party) not in party_ids:
                problems.append(Problem(path + (party,), f"payoff for unknown party '{party}'; {did_you_mean(party, party_ids)}"))
        for party in party_ids if len(party_ids) == 2 else []:  # else the party count is the problem
            if party not in payoffs:
                problems.append(Problem(path, f"no payoff for {party}; expected a payoff for every party (0 if unaffected)"))

    options_of: dict[str, list[str]] = {}
    for name, lever in levers.items():
        if not isinstance(lever, dict):
            continue
        path = ("levers", name)
        owner = lever.get("owner")
        if isinstance(owner, str) and party_ids and owner not in party_ids:
            problems.append(Problem(path + ("owner",), f"found '{owner}'; expected one of the parties: {', '.join(party_ids)}"))
        options = lever.get("options")
        if not isinstance(options, dict):
            continue
        options_of[str(name)] = [str(o) for o in options]
        if len(options) < 2:
            listed = ", ".join(map(str, options)) or "none"
            problems.append(Problem(path + ("options",), f"found {len(options)} option ({listed}); expected two or more (one option is not a choice)"))
        for option, payoffs in options.items():
            check_payoff_parties(payoffs, path + ("options", option))
        sq = lever.get("status_quo")
        if isinstance(sq, str) and sq not in options:
            problems.append(Problem(path + ("status_quo",), f"found '{sq}', not an option of this lever; {did_you_mean(sq, list(options))}"))
        labels = lever.get("labels")
        if isinstance(labels, dict):
            for option in labels:
                if option not in options:
                    problems.append(Problem(path + ("labels", option), f"label for unknown option '{option}'; {did_you_mean(option, list(options))}"))

    interactions = data.get("interactions")
    for i, inter in enumerate(interactions if isinstance(interactions, list) else []):
        if not isinstance(inter, dict):
            continue
        path = ("interactions", i)
        when = inter.get("when")
        if isinstance(when, dict):
            if not when:
                problems.append(Problem(path + ("when",), "found an empty mapping; expected at least one lever: option"))
            for lever, option in when.items():
                if lever not in levers:
                    problems.append(Problem(path + ("when", lever), f"unknown lever '{lever}'; {did_you_mean(lever, list(levers))}"))
                elif lever in options_of and option not in options_of[lever]:
                    problems.append(Problem(path + ("when", lever), f"found '{option}', not an option of lever {lever}; {did_you_mean(option, options_of[lever])}"))
        check_payoff_parties(inter.get("payoffs"), path + ("payoffs",))

    threat = data.get("threat")
    if isinstance(threat, dict):
        check_payoff_parties(threat, ("threat",))
    if threat == "status_quo":
        for name, lever in levers.items():
            if isinstance(lever, dict) and "status_quo" not in lever:
                problems.append(Problem(("levers", name), "no status_quo; expected one on every lever when threat is status_quo"))

    prior = data.get("prior")
    if isinstance(prior, dict) and prior.get("source", "strategist") == "strategist" and "deal_probability" not in prior:
        problems.append(Problem(("prior",), "no deal_probability; expected one (or source: game to take it from the game)"))

    try:  # dates are text in the document (see yamlsource); their own problems are the schema's to report
        as_of, deadline = parse_date(data.get("as_of")), parse_date(data.get("deadline"))
    except ValueError:
        pass
    else:
        if deadline < as_of:
            problems.append(Problem(("deadline",), f"found {deadline}, before as_of {as_of}; expected a deadline on or after as_of"))

    if party_ids and not problems:
        for party in party_ids:
            count = 1
            for lever in levers.values():
                if isinstance(lever, dict) and lever.get("owner") == party and isinstance(lever.get("options"), dict):
                    count *= len(lever["options"])
            if count > MAX_STRATEGIES:
                problems.append(Problem(("levers",), f"{party} has {count} pure strategies; expected at most {MAX_STRATEGIES} (merge or drop options)"))
    return problems


# ---------------------------------------------------------------- entry points


def scenario_from_document(doc: YamlDocument) -> Scenario:
    """Validate a parsed YAML document as a scenario, reporting every problem with its line."""
    data = doc.data
    if not isinstance(data, dict):
        raise ScenarioError(doc.file, [Problem((), f"found {_show(data)}; expected a mapping of scenario keys (schema, id, parties, levers, ...)", doc.line(()))])
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problem_from_pydantic(e) for e in exc.errors())
    problems.extend(_cross_checks(data))
    if problems:
        unique = {(p.path, p.message): p for p in problems}.values()
        raise ScenarioError(doc.file, [Problem(p.path, p.message, doc.line(p.path)) for p in unique])
    assert scenario is not None
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and return the scenario in ``path``.

    Raises
    ------
    ScenarioError
        With every problem found: file, line, field path, what was found and what is expected.
    """
    scenario = scenario_from_document(read_yaml(path))
    return scenario.model_copy(update={"source_path": Path(path).resolve()})
