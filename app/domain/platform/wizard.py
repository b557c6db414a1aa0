"""One wizard engine, serving the KYC/KYB wizard (onboarding/rules.py) and the offering wizard
(offerings/rules.py): the mechanics only. Each wizard keeps its own steps, fields and validation. Pure.

A wizard is an ordered tuple of steps (anything with a `key`); the last is the review step, which
only submits. How far a person got is a count of leading steps saved (`saved`): coming back resumes
at the first step not yet saved, the review step once all are saved, and submitting needs all.
Each wizard stores that count its own way: userdetails' `kycSteps` as is, the offering's seed field
`currentStep` as the 1-based position of the step to resume (so `saved + 1`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class _Step(Protocol):
    key: str


S = TypeVar("S", bound=_Step)


@dataclass(frozen=True)
class Wizard(Generic[S]):
    steps: tuple[S, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.steps)

    def step(self, key: str) -> S | None:
        return next((s for s in self.steps if s.key == key), None)

    def index(self, key: str) -> int:
        """The 0-based position of a step; ValueError for a key the wizard has not."""
        return self.keys.index(key)

    def next(self, key: str) -> S | None:
        position = self.index(key) + 1
        return self.steps[position] if position < len(self.steps) else None

    def previous(self, key: str) -> S | None:
        position = self.index(key)
        return self.steps[position - 1] if position > 0 else None

    def resume(self, saved: int) -> S:
        """The step to show on arrival: the first not yet saved, the review step when all are."""
        return self.steps[min(saved, len(self.steps) - 1)]

    def position_after(self, key: str, *, stay: bool = False) -> int:
        """Where saving `key` leaves a person: the next step, or this one (`stay`) for a list step
        that takes several entries before moving on."""
        return self.index(key) + (0 if stay else 1)

    def saved_after(self, key: str, saved: int, *, stay: bool = False) -> int:
        """The count of leading steps saved after saving `key`: it never goes back."""
        return max(saved, self.position_after(key, stay=stay))

    def all_saved(self, saved: int) -> bool:
        """Every step before the review step is saved: the wizard can be submitted."""
        return saved >= len(self.steps) - 1

    def progress(self, position: int) -> int:
        """Percentage for a progress bar at `position` (the review step counts as the last one)."""
        return min(100, round(100 * position / len(self.steps)))

    def missing(self, completed: Iterable[str], optional: Iterable[str] = ()) -> tuple[S, ...]:
        """The steps before review that are neither completed nor optional (for a wizard that records
        each completed step by key and may be filled in any order)."""
        done = set(completed) | set(optional)
        return tuple(s for s in self.steps[:-1] if s.key not in done)
