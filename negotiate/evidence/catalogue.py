"""The event catalogue: PLOVER's event types, their direction, and the CAMEO codes they map from.

PLOVER (Political Language Ontology for Verifiable Event Records, openeventdata/PLOVER) has sixteen
event types; POLECAT data is coded in them directly. CAMEO-coded data (GDELT, ICEWS) maps through
the CAMEO root code (the first two digits), with the sub-codes that PLOVER splits off listed
separately. A scenario may add its own types with a direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from negotiate.scenario.schema import Scenario

Direction = Literal["cooperative", "conflictual"]


@dataclass(frozen=True)
class EventType:
    """One type of event in the catalogue."""

    name: str
    direction: Direction
    meaning: str
    plover: str | None
    cameo: tuple[str, ...] = ()  # CAMEO root codes or longer sub-codes that map here


# Definitions paraphrase the PLOVER manual (draft 0.8, 2021); the CAMEO correspondences follow the
# PLOVER project's CAMEO2PLOVER table of 17 September 2021 (openeventdata/PLOVER). CAMEO roots 01
# (public statement) and 02 (appeal) have no PLOVER type and are not imported. Directions follow
# PLOVER's quad classes (verbal/material cooperation vs verbal/material conflict).
BUILTIN: tuple[EventType, ...] = (
    EventType("agree", "cooperative", "agrees to, or signs, a future course of action (deal, framework, truce)", "AGREE", ("03",)),
    EventType("consult", "cooperative", "meets, calls or negotiates with the other side", "CONSULT", ("04",)),
    EventType("support", "cooperative", "praises, endorses or defends the other side; diplomatic cooperation", "SUPPORT", ("05",)),
    EventType("concede", "cooperative", "eases a demand or a measure: suspends, extends a truce, lifts a restriction",
              "CONCEDE", ("08", "080", "081", "082", "083")),
    EventType("cooperate", "cooperative", "cooperates materially: trade, purchases, joint programmes", "COOPERATE", ("06",)),
    EventType("aid", "cooperative", "gives economic, humanitarian or military aid", "AID", ("07",)),
    EventType("retreat", "cooperative", "withdraws forces or de-escalates militarily",
              "RETREAT", ("084", "085", "086", "087", "0813", "0814")),
    EventType("request", "conflictual", "asks or demands that the other side act", "REQUEST", ("10",)),
    EventType("accuse", "conflictual", "criticises, accuses or investigates the other side", "ACCUSE", ("09", "11")),
    EventType("reject", "conflictual", "refuses a proposal, demand or request", "REJECT", ("12",)),
    EventType("threaten", "conflictual", "threatens a future measure (tariff, sanction, force)", "THREATEN", ("13",)),
    EventType("protest", "conflictual", "protests against the other side (demonstrations, boycotts)", "PROTEST", ("14",)),
    EventType("sanction", "conflictual", "imposes a measure: tariffs, export controls, sanctions, cut ties", "SANCTION", ("16",)),
    EventType("mobilize", "conflictual", "mobilises or shows force", "MOBILIZE", ("15",)),
    EventType("coerce", "conflictual", "coerces: seizes, arrests, expels, blockades", "COERCE", ("17", "163", "191", "192")),
    EventType("assault", "conflictual", "uses violence", "ASSAULT", ("18", "19", "20", "1712", "175")),
)


class Catalogue:
    """The built-in event types plus a scenario's own.

    Parameters
    ----------
    extra : dict, optional
        Scenario types: name -> (direction, meaning).
    """

    def __init__(self, extra: dict[str, tuple[Direction, str]] | None = None):
        self.types: dict[str, EventType] = {t.name: t for t in BUILTIN}
        for name, (direction, meaning) in (extra or {}).items():
            self.types[name] = EventType(name, direction, meaning, None)
        self._cameo = {code: t.name for t in BUILTIN for code in t.cameo}

    def __contains__(self, name: str) -> bool:
        return name in self.types

    def names(self) -> list[str]:
        return list(self.types)

    def from_cameo(self, code: str) -> str | None:
        """Our type for a CAMEO event code ('0871', '042', '13'), or None when PLOVER drops it."""
        code = str(code).strip()
        for length in (4, 3, 2):  # the most specific correspondence wins
            if len(code) >= length and code[:length] in self._cameo:
                return self._cameo[code[:length]]
        return None

    def from_plover(self, label: str) -> str | None:
        """Our type for a PLOVER event type label (any case)."""
        label = str(label).strip().upper()
        for t in self.types.values():
            if t.plover == label:
                return t.name
        return None


def catalogue_for(scenario: Scenario | None) -> Catalogue:
    """The built-in catalogue plus the scenario's own event types (just the built-in one without a scenario)."""
    if scenario is None:
        return Catalogue()
    return Catalogue({name: (t.direction, t.meaning) for name, t in scenario.event_types.items()})
