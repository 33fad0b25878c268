"""The answer listing the account's carriers and the codes the tracking tools take."""

from collections.abc import Sequence

from pydantic import Field

from ..api.ids import SHIPSTATION_ID
from ..api.models import Carrier
from .base import AnswerPart, CachedAnswer
from .quoting import quote

__all__ = ["CarrierListing", "CarrierRow", "summarize_carriers"]


class CarrierRow(AnswerPart):
    carrier_code: str | None = None
    carrier_id: str | None = None
    name: str | None = None
    nickname: str | None = None
    primary: bool | None = None


class CarrierListing(CachedAnswer):
    carriers: list[CarrierRow] = Field(default_factory=list)

    @property
    def headline(self) -> str:
        return f"{len(self.carriers)} carrier(s) connected:"

    def text(self) -> str:
        lines = [self.headline]
        lines += [f"- {c.carrier_code} ({quote(c.name) or 'unnamed'}, {c.carrier_id})" for c in self.carriers]
        return "\n".join(lines)


def summarize_carriers(carriers: Sequence[Carrier]) -> CarrierListing:
    return CarrierListing(
        carriers=[
            CarrierRow(
                # A "code" shaped like a ShipStation id (some mocks send one) is no code the tracking tools take.
                carrier_code=None if SHIPSTATION_ID.match(c.carrier_code or "") else c.carrier_code,
                carrier_id=c.carrier_id,
                name=c.friendly_name or c.nickname,
                nickname=c.nickname if c.nickname != c.friendly_name else None,
                primary=c.primary or None,
            )
            for c in carriers
        ]
    )
