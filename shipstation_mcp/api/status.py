"""ShipStation / ShipEngine tracking status codes, explained in plain English.

Pure data and small helpers, no I/O. Tracking answers carry two codes:

* ``status_code``: one of eight coarse codes (``AC IT DE EX UN AT NY SP``), see :data:`STATUS_CODES`;
* ``status_detail_code``: a finer, open-ended code such as ``HELD_BY_CUSTOMS``, see :data:`DETAIL_CODES`.

Labels carry a third, even coarser field, ``tracking_status`` (:data:`TRACKING_STATUS_MEANINGS`).

Real responses do not always follow the specs (the ShipStation V2 spec even types ``status_code`` as a detail
code, e.g. ``COLLECTION_FAILED``), so every lookup here accepts any value and never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

__all__ = [
    "ACTION_DETAIL_CODES",
    "DETAIL_CODES",
    "STATUS_CODES",
    "TRACKING_STATUS_MEANINGS",
    "StatusInfo",
    "detail_description",
    "detail_needs_action",
    "glossary_markdown",
    "package_status",
    "status_info",
    "tracking_status_meaning",
]

# Longest code echoed back in "Unknown status (...)" texts.
_MAX_ECHO = 40


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What a tracking ``status_code`` means."""

    code: str
    """The code, upper-case, e.g. ``"AT"``."""
    description: str
    """ShipStation's own short description, e.g. ``"Delivery Attempt"``."""
    meaning: str
    """Plain English an assistant can repeat to a user."""
    action_needed: bool
    """True when someone (the merchant or the recipient) should do something."""
    delivered: bool
    """True when the package reached the recipient or a pickup location for them (``DE``, ``SP``)."""
    exception: bool
    """True for a carrier exception (``EX``)."""
    label_tracking_status: str | None
    """The label ``tracking_status`` this code corresponds to; None when there is none (``AC``, ``AT``)."""


# Descriptions are those of the ShipEngine spec's `status_code` table (the ShipStation V2 spec has no such
# table). The API facts page spells two of them slightly differently ("Not Yet in System", "Delivered to the
# Collection Location"); the spec wording is kept here.
_STATUS_ORDER = ("AC", "IT", "DE", "EX", "UN", "AT", "NY", "SP")

STATUS_CODES: Mapping[str, StatusInfo] = MappingProxyType(
    {
        "AC": StatusInfo(
            code="AC",
            description="Accepted",
            meaning=(
                "The carrier has accepted the package into its network; it has not started moving towards "
                "the recipient yet."
            ),
            action_needed=False,
            delivered=False,
            exception=False,
            label_tracking_status=None,
        ),
        "IT": StatusInfo(
            code="IT",
            description="In Transit",
            meaning=(
                "The package is on its way through the carrier's network; nothing to do unless it stops "
                "moving or misses its estimated delivery date."
            ),
            action_needed=False,
            delivered=False,
            exception=False,
            label_tracking_status="in_transit",
        ),
        "DE": StatusInfo(
            code="DE",
            description="Delivered",
            meaning="The carrier says the package was delivered.",
            action_needed=False,
            delivered=True,
            exception=False,
            label_tracking_status="delivered",
        ),
        "EX": StatusInfo(
            code="EX",
            description="Exception",
            meaning=(
                "A problem: the carrier reported an exception (for example an address issue, damage, a "
                "customs hold or a return). See the exception text for what is needed."
            ),
            action_needed=True,
            delivered=False,
            exception=True,
            label_tracking_status="error",
        ),
        "UN": StatusInfo(
            code="UN",
            description="Unknown",
            meaning=(
                "The carrier reports nothing usable for this package; the tracking number may be too new, "
                "mistyped, or not trackable with this carrier."
            ),
            action_needed=False,
            delivered=False,
            exception=False,
            label_tracking_status="unknown",
        ),
        "AT": StatusInfo(
            code="AT",
            description="Delivery Attempt",
            meaning="The carrier tried to deliver; the recipient may need to arrange redelivery or pick-up.",
            action_needed=True,
            delivered=False,
            exception=False,
            label_tracking_status=None,
        ),
        "NY": StatusInfo(
            code="NY",
            description="Not Yet In System",
            meaning="The label exists but the carrier has not scanned the package yet.",
            action_needed=False,
            delivered=False,
            exception=False,
            label_tracking_status="in_transit",
        ),
        # SP counts as action needed: the package is not at the door. The recipient has to go and collect
        # it, usually within a holding period, after which the carrier sends it back
        # (NOT_COLLECTED_FROM_PICKUP_POINT). This matches AWAITING_COLLECTION_FROM_PICKUP_POINT and
        # COLLECT_AT_LOCAL_PO in ACTION_DETAIL_CODES below.
        "SP": StatusInfo(
            code="SP",
            description="Delivered To Collection Location",
            meaning=(
                "The package was delivered to a pickup location (locker, shop or post office) rather than "
                "the address; the recipient must collect it there before the holding period ends."
            ),
            action_needed=True,
            delivered=True,
            exception=False,
            label_tracking_status="delivered_to_service_point",
        ),
    }
)

# Every `status_detail_code` with its description, copied from the `description` tables of the
# `status_detail_code` schema (ShipEngine spec) and the `tracking_status_detail_code` schema (ShipStation V2
# spec). Codes in both specs use the ShipEngine wording; the V2 wording sometimes differs in substance (e.g.
# PARCEL_DAMAGED: V2 says the parcel is being returned, ShipEngine that it will still be delivered), so treat
# these as the carrier-neutral gist, not a promise. The set is open: new codes can appear at any time.
DETAIL_CODES: Mapping[str, str] = MappingProxyType(
    {
        "ADDRESS_QUERY": "There is an issue with the delivery address, which may delay your parcel.",
        "ATTEMPTED_DELIVERY": "The carrier attempted to deliver your parcel but was unable to complete delivery.",
        "ATTEMPTED_DELIVERY_2ND": (  # ShipStation V2 spec only
            "Second delivery attempt failed. Please check the carrier's instructions for next steps."
        ),
        "ATTEMPTED_DELIVERY_3RD": (  # ShipStation V2 spec only
            "Third delivery attempt failed. Please check the carrier's instructions for next steps."
        ),
        "ATTEMPTED_DELIVERY_FINAL": (  # ShipEngine spec only
            "The carrier made a final attempt to deliver your parcel but was unable to complete "
            "delivery. Please check the carrier's instructions for next steps."
        ),
        "AWAITING_COLLECTION_FROM_PICKUP_POINT": "Your parcel is ready for collection at the selected pickup point.",
        "AWAITING_DESPATCH": (  # ShipStation V2 spec only
            "Your shipment is ready to go and is waiting for pickup."
        ),
        "AWAITING_ELECTRONIC_ADVICE": (  # ShipStation V2 spec only
            "Your tracking number is ready. Your shipment is waiting to be registered in the carrier "
            "system and scheduled for pickup."
        ),
        "AWAITING_PICKUP_DROP_OFF": (  # ShipEngine spec only
            "Your parcel is waiting to be handed over to the carrier."
        ),
        "CANCELLED": "Your parcel has been cancelled.",
        "CANCELLED_BEFORE_DESPATCH": (  # ShipStation V2 spec only
            "Your shipment was cancelled before pickup. Contact the sender if unexpected."
        ),
        "CARRIER_DELAYS": "Your parcel is delayed due to issues within the carrier network.",
        "CARRIER_STATUS_NOT_MAPPED": "Status not mapped. Please check the carrier's website for updates.",
        "COD_AMOUNT_NOT_PAID": "Delivery failed due to unpaid cash on delivery. Please follow carrier instructions.",
        "COD_AMOUNT_PAID": "Cash on delivery payment received.",
        "COLLECTION_FAILED": (  # ShipStation V2 spec only
            "Shipment pickup failed. The delivery company will try again soon."
        ),
        "COLLECTION_MADE": "Your shipment has been picked up by the carrier.",  # ShipStation V2 spec only
        "COLLECTION_REQUESTED": "Your shipment pickup has been scheduled.",  # ShipStation V2 spec only
        "COLLECT_AT_LOCAL_PO": "Your parcel is ready for collection at your local post office.",
        "CUSTOMER_CARDED": "Delivery attempt failed. Please follow delivery instructions left by the carrier.",
        "CUSTOMER_IDENTIFICATION_FAILED": (
            "Delivery couldn't be completed as identification requirements were not met."
        ),
        "CUSTOMER_MOVED": (
            "Delivery failed as the recipient is no longer at the specified address. Your parcel is being returned."
        ),
        "CUSTOMER_TO_COLLECT_FROM_CARRIER": (
            "Your parcel is available for collection from the carrier's local delivery unit."
        ),
        "CUSTOMS_CLEARED": "Your parcel has cleared customs and is continuing its journey.",
        "CUSTOMS_PROCESSING": "Your parcel is currently being processed by customs.",
        "DELAYED_NOT_CARRIER": "Your parcel is delayed due to circumstances beyond the carrier's control.",
        "DELIVERED": "Your parcel has been successfully delivered.",
        "DELIVERED_DAMAGED": "Your parcel was delivered but arrived with visible damage.",
        "DELIVERED_IN_PART": "Part of your shipment has been delivered. Check for updates on the rest.",
        "DELIVERED_SPECIFIED_SAFE_PLACE": "Your parcel has been delivered to your specified safe place.",
        "DELIVERED_TO_ALTERNATIVE_DELIVERY_LOCATION": (
            "Your parcel was delivered to an alternative location due to the delivery company being "
            "unable to deliver it to the specified address. Check carrier instructions for pickup "
            "details."
        ),
        "DELIVERED_TO_LOCKER_COLLECTION_POINT": (  # ShipStation V2 spec only
            "Your shipment has been delivered to your locker."
        ),
        "DELIVERED_TO_NEIGHBOUR": "Your parcel was delivered to your neighbor.",
        "DELIVERED_TO_PICKUP_POINT": (  # ShipEngine spec only
            "Your package has been delivered to the pickup point. You will be notified when its ready for collection."
        ),
        "DELIVERED_TO_PO_BOX": "Your parcel has been delivered to your specified PO Box.",
        "DELIVERED_TO_RECEPTION": (  # ShipEngine spec only
            "Your parcel has been delivered to your building's reception or designated mail area."
        ),
        "DELIVERY_ARRANGED_WITH_RECIPIENT": "Your parcel's delivery has been arranged with the carrier.",
        "DELIVERY_RESCHEDULED": (  # ShipEngine spec only
            "Your parcel's delivery has been rescheduled due to operational issues."
        ),
        "DELIVERY_SCHEDULED": (  # ShipEngine spec only
            "Your parcel's delivery has been scheduled and will soon be out for delivery."
        ),
        "DESPATCHED": (  # ShipStation V2 spec only
            "Your shipment has been handed over to the carrier or dropped off at collection point. It "
            "will soon start its journey."
        ),
        "DROPPED_OFF": (  # ShipEngine spec only
            "Your parcel has been dropped off and is ready for carrier processing."
        ),
        "DUTY_NOT_PAID": (  # ShipEngine spec only
            "The import taxes or duties for this package havent been paid and it may be subject to "
            "disposal by customs authorities if payment is not made."
        ),
        "ELEC_ADVICE_RECD_BY_CARRIER": "Your shipment is now in the carrier's system.",
        "HAZARDOUS_PROHIBITED": "Your parcel contains restricted items and will not be delivered.",
        "HELD_BY_CARRIER": (
            "Your parcel is being held due to an operational issue. Contact with the carrier for more information."
        ),
        "HELD_BY_CARRIER_FOR_CLEARANCE_PRE_PROCESSING": (
            "Your parcel is being held by the carrier for customs documentation checks. This may occur "
            "when the carrier must confirm documentation before the parcel can continue its journey."
        ),
        "HELD_BY_CUSTOMS": "Your parcel is being held at customs, which may delay delivery.",
        "HELD_BY_EXPORT_CUSTOMS": (  # ShipStation V2 spec only
            "Your shipment is held in export customs. We'll update you."
        ),
        "HELD_BY_IMPORT_CUSTOMS": (  # ShipStation V2 spec only
            "Your shipment is held in import customs. We'll update you."
        ),
        "HUB_PROCESSING": "Your parcel is being processed at a carrier hub.",  # ShipEngine spec only
        "HUB_SCAN_IN": "Your parcel has arrived at the carrier's hub for processing.",  # ShipEngine spec only
        "HUB_SCAN_OUT": "Your parcel has left the carrier's hub.",
        "INCORRECT_DECLARATION": (
            "Your parcel has been incorrectly declared but is still moving forward for delivery."
        ),
        "INFORMATION": "The carrier has shared additional information about your parcel.",
        "INVALID_METHOD_OF_PAYMENT": (  # ShipStation V2 spec only
            "Delivery failed due to incorrect payment. Please check carrier instructions."
        ),
        "IN_TRANSIT": "Your shipment is on its way between the carrier hubs.",
        "MISROUTED": (  # ShipEngine spec only
            "Your parcel was sent to the wrong place due to a routing error but is being redirected."
        ),
        "MISSORTED": (  # ShipStation V2 spec only
            "Your shipment was missorted. There might be a delivery delay. We'll update you."
        ),
        "NOT_COLLECTED_FROM_PICKUP_POINT": (
            "Your parcel was not collected from the pickup point within the designated time and will be returned."
        ),
        "NOT_DELIVERED": "All delivery attempts failed. Your parcel is being returned to the sender.",
        "NOT_DELIVERED_ADDRESSEE_DECEASED": (
            "The parcel could not be delivered as the addressee is reported deceased."
        ),
        "NOT_YET_RECEIVED_BY_CARRIER": "The carrier has not yet received your parcel, which may cause a delay.",
        "NO_ACCESS_TO_RECIPIENTS_ADDRESS": (
            "The carrier couldn't access the delivery location due to restricted entry."
        ),
        "OUT_FOR_DELIVERY": "Your parcel is on its way and will be delivered today.",
        "PARCEL_COLLECTED_FROM_PICKUP_POINT": "Your package has been picked up from the pick up point.",
        "PARCEL_DAMAGED": "Your parcel was damaged in transit but will still be delivered.",
        "PARCEL_DISPOSED": (
            "Your parcel has been disposed of due to its contents or condition and will not be delivered."
        ),
        "PARCEL_LOST": "The carrier has reported that your parcel is lost and will not be delivered.",
        "PARCEL_OUTSIDE_OF_SERVICE_CAPABILITY": (
            "The parcel cannot be delivered as it exceeds the carrier's service limits."
        ),
        "PARCEL_OVER_LABELLED": (
            "Your parcel's label has been updated by the carrier, which may affect tracking visibility."
        ),
        "PARCEL_REDIRECTED": (  # ShipEngine spec only
            "Your parcel has been redirected to a new delivery address per your request."
        ),
        "PARCEL_REDIRECTED_BY_CARRIER": (  # ShipEngine spec only
            "The carrier has redirected your parcel due to an operational issue. The package is likely "
            "being rerouted to a nearby pickup point. You may contact the carrier for more details about "
            "the new delivery location."
        ),
        "PARCEL_REPACKED": "Your parcel was repackaged by the carrier due to damage and will still be delivered.",
        "PARCEL_UPDATE_NOTIFICATION": (  # ShipEngine spec only
            "The carrier has sent you an update on your parcel status via SMS or email."
        ),
        "PARCEL_UPDATE_NOTIFICATION_VIA_EMAIL": (  # ShipStation V2 spec only
            "You've received an email with a shipment update."
        ),
        "PARCEL_UPDATE_NOTIFICATION_VIA_SMS": (  # ShipStation V2 spec only
            "You've received a text message with a shipment update."
        ),
        "PICKED_UP": "Your parcel has been picked up by the carrier.",  # ShipEngine spec only
        "PICKUP_FAILED": (  # ShipEngine spec only
            "Parcel pickup failed. The delivery company will try again soon."
        ),
        "POST_TRANSIT_STATUS": "The carrier has added more information about your delivery.",
        "PROOF_OF_DELIVERY": "The carrier has confirmed delivery with proof, such as a signature or photo.",
        "RECD_BY_CARRIER_NO_ELEC_ADVICE": (
            "Your parcel has been received by the carrier but may experience delays due to missing pre-advice."
        ),
        "RECEIVED_BY_CARRIER": "Your parcel has been received by the carrier and is beginning its journey.",
        "RECEIVED_LOCAL_DELIVERY_DEPOT": (
            "Your parcel has arrived at the local delivery depot and is almost ready for delivery."
        ),
        "REFUSED_BY_CUSTOMER": "You have refused the parcel, and it will be returned to the sender.",
        "RETURN_TO_SENDER": "Your parcel is being returned to the sender due to delivery issues.",
        "ROUTING_ERROR": (  # ShipStation V2 spec only
            "Your shipment was sent to the wrong place. There might be a delay."
        ),
        "SHIPMENT_CREATED": (  # ShipEngine spec only
            "Your tracking number is ready. Your parcel is waiting to be registered in the carrier "
            "system and scheduled for pickup."
        ),
        "SUB_CONTRACTOR_EVENT": (
            "The carrier has shared additional information about your parcel's handling by a delivery partner."
        ),
        "SUB_CONTRACTOR_RECEIVED": "Your parcel has been received by the carrier's local delivery partner.",
        "TRACKING_EXPIRED": (  # ShipEngine spec only
            "Tracking for this parcel has expired. If you are still expecting this delivery, please "
            "contact the carrier for assistance."
        ),
        "UNDELIVERABLE_RETURNED_TO_SENDER": (  # ShipEngine spec only
            "The shipment has been returned to the sender. Please contact the sender for further information."
        ),
        "UNSPECIFIED_EXCEPTION": (  # ShipEngine spec only
            "The carrier has reported an issue with your parcel, but details are unavailable."
        ),
    }
)

# Detail codes after which someone (merchant or recipient) should act. Decided one by one:
# * failed delivery attempts, unpaid charges, identification or access problems: the recipient must act;
# * collection notices (pickup point, post office, carrier depot, locker, alternative location, carrier
#   redirection): the recipient must go and collect, or the parcel goes back (same reasoning as SP);
# * address, declaration and customs problems: the merchant usually has to supply or correct information;
# * lost, damaged, disposed, refused, returned or undeliverable parcels: the merchant has to resolve it
#   (claim, refund, reshipment).
# Not included: delays, carrier holds and missorts the carrier fixes itself, failed pickups the carrier
# retries (COLLECTION_FAILED, PICKUP_FAILED, NOT_YET_RECEIVED_BY_CARRIER), cancellations (normally the
# sender's own decision), DELIVERED_TO_NEIGHBOUR / DELIVERED_TO_RECEPTION (delivered, nothing to arrange),
# DELIVERED_IN_PART (the rest is still coming) and TRACKING_EXPIRED (usually an old, finished shipment).
ACTION_DETAIL_CODES: frozenset[str] = frozenset(
    {
        # Failed delivery: the recipient has to arrange redelivery, pay, or prove identity.
        "ATTEMPTED_DELIVERY",
        "ATTEMPTED_DELIVERY_2ND",
        "ATTEMPTED_DELIVERY_3RD",
        "ATTEMPTED_DELIVERY_FINAL",
        "CUSTOMER_CARDED",
        "COD_AMOUNT_NOT_PAID",
        "INVALID_METHOD_OF_PAYMENT",
        "DUTY_NOT_PAID",
        "CUSTOMER_IDENTIFICATION_FAILED",
        "NO_ACCESS_TO_RECIPIENTS_ADDRESS",
        # Waiting somewhere for the recipient to collect it.
        "AWAITING_COLLECTION_FROM_PICKUP_POINT",
        "COLLECT_AT_LOCAL_PO",
        "CUSTOMER_TO_COLLECT_FROM_CARRIER",
        "DELIVERED_TO_PICKUP_POINT",
        "DELIVERED_TO_LOCKER_COLLECTION_POINT",
        "DELIVERED_TO_ALTERNATIVE_DELIVERY_LOCATION",
        "PARCEL_REDIRECTED_BY_CARRIER",
        # Information the merchant (or recipient) has to supply or correct.
        "ADDRESS_QUERY",
        "INCORRECT_DECLARATION",
        "HELD_BY_CUSTOMS",
        "HELD_BY_IMPORT_CUSTOMS",
        "HELD_BY_EXPORT_CUSTOMS",
        "HELD_BY_CARRIER_FOR_CLEARANCE_PRE_PROCESSING",
        # Will not be delivered as sent: the merchant has to resolve it (claim, refund, reshipment).
        "CUSTOMER_MOVED",
        "NOT_DELIVERED",
        "NOT_DELIVERED_ADDRESSEE_DECEASED",
        "NOT_COLLECTED_FROM_PICKUP_POINT",
        "REFUSED_BY_CUSTOMER",
        "RETURN_TO_SENDER",
        "UNDELIVERABLE_RETURNED_TO_SENDER",
        "HAZARDOUS_PROHIBITED",
        "PARCEL_OUTSIDE_OF_SERVICE_CAPABILITY",
        "PARCEL_LOST",
        "PARCEL_DAMAGED",
        "DELIVERED_DAMAGED",
        "PARCEL_DISPOSED",
        "UNSPECIFIED_EXCEPTION",
    }
)

# Detail codes that are plainly carrier exceptions (the parcel is lost, damaged, refused, returned, ...).
_EXCEPTION_DETAIL_CODES: frozenset[str] = frozenset(
    {
        "ADDRESS_QUERY",
        "CUSTOMER_MOVED",
        "DELIVERED_DAMAGED",
        "DUTY_NOT_PAID",
        "HAZARDOUS_PROHIBITED",
        "INCORRECT_DECLARATION",
        "NOT_COLLECTED_FROM_PICKUP_POINT",
        "NOT_DELIVERED",
        "NOT_DELIVERED_ADDRESSEE_DECEASED",
        "PARCEL_DAMAGED",
        "PARCEL_DISPOSED",
        "PARCEL_LOST",
        "PARCEL_OUTSIDE_OF_SERVICE_CAPABILITY",
        "REFUSED_BY_CUSTOMER",
        "RETURN_TO_SENDER",
        "UNDELIVERABLE_RETURNED_TO_SENDER",
        "UNSPECIFIED_EXCEPTION",
    }
)

# Detail codes meaning the parcel reached the recipient or a pickup location for them.
_DELIVERED_DETAIL_CODES: frozenset[str] = frozenset(
    {code for code in DETAIL_CODES if code.startswith("DELIVERED")} | {"PARCEL_COLLECTED_FROM_PICKUP_POINT"}
)

# The label `tracking_status` values (the specs list the first four; the API facts page adds the fifth).
TRACKING_STATUS_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "unknown": "The carrier has reported nothing usable for this label yet.",
        "in_transit": "The package is on its way (or the label is waiting for the carrier's first scan).",
        "error": "The carrier reported a problem (an exception); look at the tracking details for what happened.",
        "delivered": "The package was delivered.",
        "delivered_to_service_point": (
            "The package was delivered to a pickup location; the recipient must collect it there."
        ),
    }
)


def _text(value: object) -> str:
    """``value`` as stripped text; never raises (odd objects become ``""``)."""
    if value is None:
        return ""
    try:
        if isinstance(value, bytes | bytearray):
            text = bytes(value).decode("utf-8", "replace")
        else:
            text = value if isinstance(value, str) else str(value)
        return text.strip()
    except Exception:
        return ""


def _echo(text: str) -> str:
    """``text`` made safe to quote back: printable characters only, at most ``_MAX_ECHO`` of them."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:_MAX_ECHO])


def _unknown_label(text: str) -> str:
    return f"Unknown status ({_echo(text)})"


def _norm_code(value: object) -> str:
    return _text(value).upper()


_NO_STATUS = StatusInfo(
    code="UN",
    description="Unknown",
    meaning="No tracking status was reported for this package.",
    action_needed=False,
    delivered=False,
    exception=False,
    label_tracking_status="unknown",
)


def _from_detail(code: str) -> StatusInfo:
    description = DETAIL_CODES[code]
    return StatusInfo(
        code=code,
        description=description,
        meaning=description,
        action_needed=code in ACTION_DETAIL_CODES,
        delivered=code in _DELIVERED_DETAIL_CODES,
        exception=code in _EXCEPTION_DETAIL_CODES,
        # The facts table only maps the eight status codes; do not guess for detail codes.
        label_tracking_status=None,
    )


def status_info(code: object) -> StatusInfo:
    """Explain a tracking ``status_code``. Accepts anything and never raises.

    A known code gives its entry; nothing (None, "") gives an "Unknown" entry saying no status was reported;
    a detail code in the status field (as the ShipStation V2 spec allows) is explained from its description;
    anything else gives ``"Unknown status (X)"``.
    """
    text = _norm_code(code)
    if not text:
        return _NO_STATUS
    known = STATUS_CODES.get(text)
    if known is not None:
        return known
    if text in DETAIL_CODES:
        return _from_detail(text)
    echo = _echo(text)
    return StatusInfo(
        code=echo,
        description=_unknown_label(text),
        meaning=(
            f"The carrier reported status code {echo}, which is not a known ShipStation status; "
            "check the tracking events or the carrier's website."
        ),
        action_needed=False,
        delivered=False,
        exception=False,
        label_tracking_status=None,
    )


def package_status(status_code: object, detail_code: object) -> StatusInfo:
    """A package's status from both code fields. The V2 spec lets the status field hold a detail code; when it does
    and the detail field holds a different known one, the detail field (where detail codes belong) decides, so an
    answer never says "delivered" and "pickup failed" at once. Never raises."""
    status = status_info(status_code)
    detail = _norm_code(detail_code)
    if status.code not in STATUS_CODES and detail in DETAIL_CODES and detail != status.code:
        return _from_detail(detail)
    return status


def detail_description(code: object) -> str | None:
    """Description of a ``status_detail_code``: None when empty, ``"Unknown status (X)"`` when unknown."""
    text = _norm_code(code)
    if not text:
        return None
    return DETAIL_CODES.get(text) or _unknown_label(text)


def detail_needs_action(code: object) -> bool:
    """Whether a ``status_detail_code`` means the merchant or recipient should act. Never raises."""
    return _norm_code(code) in ACTION_DETAIL_CODES


def tracking_status_meaning(value: object) -> str:
    """Plain English for a label ``tracking_status``; ``"Unknown tracking status (X)"`` when unknown."""
    text = _text(value)
    if not text:
        return "No tracking status was reported for this label."
    key = text.lower().replace("-", "_").replace(" ", "_")
    meaning = TRACKING_STATUS_MEANINGS.get(key)
    if meaning is not None:
        return meaning
    return f"Unknown tracking status ({_echo(text)})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


@cache
def glossary_markdown() -> str:
    """A compact markdown glossary of every status code, detail code and label ``tracking_status``."""
    lines = [
        "# ShipStation tracking status codes",
        "",
        "## status_code",
        "",
        "| code | description | meaning | needs action | label tracking_status |",
        "|---|---|---|---|---|",
    ]
    for code in _STATUS_ORDER:
        info = STATUS_CODES[code]
        lines.append(
            f"| {info.code} | {_cell(info.description)} | {_cell(info.meaning)} | "
            f"{_yes_no(info.action_needed)} | {info.label_tracking_status or '–'} |"
        )
    lines += [
        "",
        "## status_detail_code",
        "",
        "Finer than status_code; the set is open, so unknown codes can appear.",
        "",
        "| code | description | needs action |",
        "|---|---|---|",
    ]
    for code in sorted(DETAIL_CODES):
        lines.append(f"| {code} | {_cell(DETAIL_CODES[code])} | {_yes_no(code in ACTION_DETAIL_CODES)} |")
    lines += [
        "",
        "## Label tracking_status",
        "",
        "| value | meaning |",
        "|---|---|",
    ]
    for value, meaning in TRACKING_STATUS_MEANINGS.items():
        lines.append(f"| {value} | {_cell(meaning)} |")
    return "\n".join(lines) + "\n"
