"""The demo registry: six people whose photos are in the shared test data.

Each person's reference photo is ``<name>_1.*`` in ``faces/people/``; their other photos are
live portraits that should verify. All are registered in region 26 with serials 1 to 6.
Lacamoire's birth date is invented for the demo. Imports only ``backend.contracts``, so demo
scripts and tests can use it freely.

    name       birth date   personal number
    obama      1961-08-04   30408610260013
    biden      1942-11-20   32011420260023
    harington  1986-12-26   32612860260031
    lacamoire  1974-08-01   30108740260043
    leslie     1987-02-18   41802870260051  (female)
    miranda    1980-01-16   31601800260067
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from backend.contracts import make_personal_number

DEMO_REGION = 26


@dataclass(frozen=True)
class DemoPerson:
    name: str
    birth_date: date
    male: bool
    serial: int

    @property
    def personal_number(self) -> str:
        return make_personal_number(
            self.birth_date, male=self.male, region=DEMO_REGION, serial=self.serial
        )

    def reference_photo(self, folder: Path) -> Path:
        """``<name>_1.<ext>`` in ``folder``."""
        matches = sorted(folder.glob(f"{self.name}_1.*"))
        if not matches:
            raise FileNotFoundError(f"no reference photo {self.name}_1.* in {folder}")
        return matches[0]


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("obama", date(1961, 8, 4), male=True, serial=1),
    DemoPerson("biden", date(1942, 11, 20), male=True, serial=2),
    DemoPerson("harington", date(1986, 12, 26), male=True, serial=3),
    DemoPerson("lacamoire", date(1974, 8, 1), male=True, serial=4),
    DemoPerson("leslie", date(1987, 2, 18), male=False, serial=5),
    DemoPerson("miranda", date(1980, 1, 16), male=True, serial=6),
)


def demo_person(name: str) -> DemoPerson:
    for person in DEMO_PEOPLE:
        if person.name == name:
            return person
    raise KeyError(name)
