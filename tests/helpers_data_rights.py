"""Plain helpers for the data-rights tests: the identity of a customer with data
everywhere (the ``make_full_person`` fixture makes them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Identity:
    email: str = "zebedee.quixote@example.com"
    name: str = "Zebedee Quixote-Marsh"
    phone: str = "07700 900123"
    address: str = "17 Quince Lane, Wigan WN1 2AB"
    date_of_birth: str = "1984-02-29"

    def needles(self) -> list[str]:
        return [self.email, self.name, "Quixote", self.phone, "7700900123", self.address,
                "Quince Lane", self.date_of_birth, "zeb.new@example.com"]
