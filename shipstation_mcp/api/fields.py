"""Which fields of ShipStation's shipment, label and tracking objects reach an answer, and why: the decision made
for each field of the specs' schemas (`../shared/contracts/*.yaml`), kept beside the models that parse them.

The question asked of every field: could a customer ask a support agent about it ("how heavy was it?", "did it
need a signature?", "was it insured?", "where was it shipped from?")? If so, the field is parsed (`api/models.py`)
and reaches the answer. Where:

- ``TEXT``: structured content always, and the text answer when the field is set (a false flag, a zero amount,
  ``none`` or ``unknown`` says nothing and is left out);
- ``STRUCTURED``: structured content only (ids and codes an assistant passes on to another call, figures an agent
  rarely reads aloud);
- ``READING``: read by the tracking reading (`answers/tracking.py`): it shapes the headline, status and times
  rather than being shown as a field of its own;
- anything else is a reason the field is left out (internal to the merchant's account, a document link with a
  download token, billing mechanics).

`tests/api/test_fields.py` checks that every field the specs list has a decision here, and that every field
decided TEXT or STRUCTURED is parsed by the model.
"""

from __future__ import annotations

__all__ = ["DECISIONS", "READING", "STRUCTURED", "TEXT", "shown"]

TEXT = "text"
STRUCTURED = "structured"
READING = "reading"

_INTERNAL = "internal to the merchant's account; no customer asks about it"
_DOCUMENT = "a document download link (with a token); not for the customer"
_BILLING = "billing mechanics between the merchant and the carrier"
_LAYOUT = "how the label is printed"

DECISIONS: dict[str, dict[str, str]] = {
    "shipment": {
        "shipment_id": STRUCTURED,
        "shipment_number": TEXT,
        "external_shipment_id": TEXT,
        "external_order_id": TEXT,
        "shipment_status": TEXT,
        "hold_until_date": TEXT,
        "ship_by_date": TEXT,
        "deliver_by_date": TEXT,  # not in the specs; real V2 shipments carry it
        "ship_date": TEXT,
        "created_at": TEXT,
        "modified_at": _INTERNAL,
        "carrier_id": STRUCTURED,
        "service_code": TEXT,
        "requested_shipment_service": TEXT,
        "ship_to": TEXT,
        "ship_from": TEXT,
        "return_to": TEXT,
        "is_return": TEXT,
        "confirmation": TEXT,
        "insurance_provider": TEXT,
        "advanced_options": TEXT,
        "customs": TEXT,
        "items": TEXT,
        "packages": TEXT,
        "total_weight": TEXT,
        "tags": TEXT,
        "order_source_code": STRUCTURED,
        "store_id": STRUCTURED,
        "amount_paid": TEXT,
        "shipping_paid": TEXT,
        "tax_paid": TEXT,
        "notes_from_buyer": TEXT,
        "notes_for_gift": TEXT,
        "is_gift": TEXT,
        "warehouse_id": "the ship-from address says where it leaves from; the warehouse id is internal",
        "shipping_rule_id": _INTERNAL,
        "assigned_user": _INTERNAL,
        "comparison_rate_type": _BILLING,
        "retail_rate": _BILLING,
        "zone": _BILLING,
        "display_scheme": _LAYOUT,
        "tax_identifiers": "the merchant's tax registration numbers",
    },
    "label": {
        "label_id": STRUCTURED,
        "status": TEXT,
        "shipment_id": "a label is shown within its shipment's answer, which names the shipment",
        "external_shipment_id": "the shipment's answer carries it",
        "external_order_id": "the shipment's answer carries it",
        "shipment": "the shipment is answered from the shipment itself",
        "ship_date": TEXT,
        "created_at": STRUCTURED,
        # Shown only when no fresher tracking is in the same answer: it is ShipStation's older copy (find_order drops
        # it beside the package's live tracking).
        "tracking_status": TEXT,
        "tracking_number": TEXT,
        "tracking_url": TEXT,
        "carrier_id": "the carrier account's id; carrier_code names the carrier",
        "carrier_code": TEXT,
        "service_code": TEXT,
        "package_code": TEXT,
        "confirmation": TEXT,
        "trackable": TEXT,
        "voided": TEXT,
        "voided_at": TEXT,
        "is_return_label": TEXT,
        "rma_number": TEXT,
        "outbound_label_id": STRUCTURED,
        "is_international": TEXT,
        "test_label": TEXT,
        "ship_to": TEXT,
        "packages": TEXT,
        "shipment_cost": STRUCTURED,
        "insurance_cost": STRUCTURED,
        "requested_comparison_amount": _BILLING,
        "rate_details": _BILLING,
        "charge_event": _BILLING,
        "void_type": "how the void was made; voided and voided_at say what a customer needs",
        "refund_details": "the carrier's refund of the label to the merchant",
        "batch_id": _INTERNAL,
        "validate_address": _INTERNAL,
        "alternative_identifiers": _INTERNAL,
        "label_image_id": _LAYOUT,
        "label_format": _LAYOUT,
        "label_layout": _LAYOUT,
        "display_scheme": _LAYOUT,
        "label_download_type": _LAYOUT,
        "label_download": _DOCUMENT,
        "form_download": _DOCUMENT,
        "qr_code_download": _DOCUMENT,
        "paperless_download": _DOCUMENT,
        "insurance_claim": _DOCUMENT,
    },
    "label_package": {
        "tracking_number": TEXT,
        "weight": TEXT,
        "dimensions": TEXT,
        "insured_value": TEXT,
        "content_description": TEXT,
        "package_code": TEXT,
        "sequence": "the order of the packages in the answer says it",
        "package_id": _INTERNAL,
        "external_package_id": _INTERNAL,
        "label_messages": "reference lines printed on the label, the merchant's own",
        "label_download": _DOCUMENT,
        "form_download": _DOCUMENT,
        "qr_code_download": _DOCUMENT,
        "paperless_download": _DOCUMENT,
        "has_label_documents": _DOCUMENT,
        "has_form_documents": _DOCUMENT,
        "has_qr_code_documents": _DOCUMENT,
        "has_paperless_label_documents": _DOCUMENT,
    },
    "package": {
        "package_code": TEXT,
        "package_name": TEXT,
        "weight": TEXT,
        "dimensions": TEXT,
        "insured_value": TEXT,
        "content_description": TEXT,
        "tracking_number": TEXT,
        "shipment_package_id": _INTERNAL,
        "package_id": _INTERNAL,
        "external_package_id": _INTERNAL,
        "label_messages": "reference lines printed on the label, the merchant's own",
        "products": "customs detail per product; the shipment's items say what is in the box",
    },
    "tracking_information": {
        "tracking_number": TEXT,
        "tracking_url": TEXT,
        "carrier_code": TEXT,
        "status_code": READING,
        "status_detail_code": READING,
        "status_description": READING,
        "status_detail_description": READING,
        "carrier_status_code": READING,
        "carrier_detail_code": READING,
        "carrier_status_description": READING,
        "ship_date": READING,
        "estimated_delivery_date": READING,
        "actual_delivery_date": READING,
        "exception_description": READING,
        "events": READING,
        "carrier_id": "the carrier account's number; carrier_code names the carrier",
    },
    "track_event": {
        "occurred_at": READING,
        "carrier_occurred_at": READING,
        "description": READING,
        "city_locality": READING,
        "state_province": READING,
        "postal_code": READING,
        "country_code": READING,
        "company_name": READING,
        "signer": READING,
        "event_code": READING,
        "carrier_detail_code": READING,
        "status_code": READING,
        "status_detail_code": READING,
        "status_description": READING,
        "status_detail_description": READING,
        "carrier_status_code": READING,
        "carrier_status_description": READING,
        "latitude": READING,
        "longitude": READING,
        "proof_of_delivery_url": READING,
    },
    "shipping_address": {
        "name": TEXT,
        "company_name": TEXT,
        "address_line1": TEXT,
        "address_line2": TEXT,
        "address_line3": TEXT,
        "city_locality": TEXT,
        "state_province": TEXT,
        "postal_code": TEXT,
        "country_code": TEXT,
        "address_residential_indicator": TEXT,
        "phone": "the customer's own phone number: kept out of answers",
        "email": "the customer's own e-mail address: kept out of answers",
        "instructions": "delivery instructions for the carrier, the merchant's own",
        "geolocation": "coordinates of the address; the place names say where",
    },
}


def shown(schema: str) -> set[str]:
    """The fields of `schema` that reach an answer (text or structured content)."""
    return {name for name, where in DECISIONS[schema].items() if where in {TEXT, STRUCTURED}}
