"""The demo account: a fictional outdoor-gear shop, Juniper & Pine Outfitters of Portland, Oregon.

People, street addresses, phone numbers (555-01xx) and order ids are invented. Cities, postal codes, carrier hubs,
services and tracking-number formats are real-shaped: every tracking number carries its carrier's check digit.

Every time is given as hours before "now", so the account always looks current; `payloads.py` turns these
specs into API payloads for a given moment. The stories, one per order (order number → what it shows):

    10431 UPS Ground, delivered with a signature          10446 UPS 2nd Day Air, delivery attempted (AT)
    10432 USPS Priority Mail, delivered to the mailbox    10447 USPS Priority Mail, waiting at the post office (SP)
    10433 FedEx Home Delivery, left with a neighbour      10448 FedEx Ground, status unknown to the carrier (UN)
    10434 cancelled; its USPS label was voided            10449 USPS label voided, re-shipped with UPS (in transit)
    10435 DHL Express to London, through customs          10450 DHL Express to Toronto, delivered
    10436 FedEx 2Day, lost by the carrier (EX)            10451 FedEx Ground, carrier delays
    10437 USPS Ground Advantage, delivered to a PO box    10452 UPS 2nd Day Air, delivered
    10438 FedEx Ground, no scan for 6 days (stalled)      10453 DHL Express to Melbourne, in transit
    10439 USPS Priority Mail International to Osaka       10454 UPS Ground, accepted by UPS (AC)
    10440 FedEx Ground, returning to sender (EX)          10455 USPS label printed, not yet scanned (NY)
    10441 USPS Ground Advantage, past its delivery date   10456 processing, no label yet
    10442 DHL Express to Berlin, held by customs          10457 pending, no label yet
    10443 UPS Ground to Seattle, out for delivery         10458 pending, awaiting stock
    10444 UPS Ground, address problem (EX)                10459 processing, on hold
    10445 UPS Ground, one label for three boxes           10460 cancelled before shipping
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Place:
    city: str
    state: str | None
    postal_code: str | None
    country: str
    zone: str | None = None
    """IANA time zone of the carrier's local clock there (for `carrier_occurred_at`), right in every season."""


@dataclass(frozen=True)
class Scan:
    hours_ago: float
    status: str
    """Tracking status code: AC IT DE EX UN AT NY SP."""
    detail: str | None
    description: str
    place: Place | None
    event_code: str = ""
    signer: str = ""


@dataclass(frozen=True)
class Package:
    tracking_number: str
    weight_oz: float
    dimensions_in: tuple[float, float, float] = (12.0, 10.0, 6.0)
    scans: tuple[Scan, ...] = ()
    """This package's own history, when it differs from the label's (multi-package labels)."""


@dataclass(frozen=True)
class LabelSpec:
    label_id: str
    carrier: str
    """carrier_code of the account's carrier: ups, stamps_com, fedex or dhl_express."""
    service_code: str
    created_hours_ago: float
    packages: tuple[Package, ...]
    scans: tuple[Scan, ...] = ()
    """Oldest first. The last scan's status is the label's tracking status (NY when there are none)."""
    eta_hours_ago: float | None = None
    """Estimated delivery, in hours before now (negative: in the future)."""
    eta_is_day: bool = False
    """The estimate is that moment's day where the package last was, sent as a date (00:00:00Z), as carriers send
    the day of an out-for-delivery scan: it then reads "due today" at any hour of that day."""
    exception_description: str | None = None
    voided_hours_ago: float | None = None
    cost: float = 0.0

    @property
    def tracking_number(self) -> str:
        return self.packages[0].tracking_number

    @property
    def status_code(self) -> str:
        return self.scans[-1].status if self.scans else "NY"

    @property
    def detail_code(self) -> str | None:
        return self.scans[-1].detail if self.scans else None


@dataclass(frozen=True)
class Item:
    name: str
    sku: str
    quantity: int
    unit_price: float
    weight_oz: float = 8.0
    hs_code: str | None = None


@dataclass(frozen=True)
class Customer:
    name: str
    street: str
    place: Place
    phone: str
    company: str | None = None
    residential: bool = True
    street2: str | None = None


@dataclass(frozen=True)
class ShipmentSpec:
    shipment_id: str
    number: str
    external_id: str
    status: str
    """pending, processing, label_purchased or cancelled."""
    created_hours_ago: float
    customer: Customer
    items: tuple[Item, ...]
    store: str
    """Key of STORES."""
    service_code: str
    labels: tuple[LabelSpec, ...] = ()
    tags: tuple[str, ...] = ()
    ship_by_hours_ago: float | None = None
    hold_until_hours_ago: float | None = None
    notes_from_buyer: str | None = None
    gift: bool = False
    modified_hours_ago: float | None = None
    customs_contents: str | None = None
    """Set for international shipments: merchandise, gift, documents, …"""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CarrierSpec:
    carrier_id: str
    carrier_code: str
    friendly_name: str
    nickname: str
    account_number: str
    numeric_id: int
    """The integer `carrier_id` that tracking answers carry (a quirk of the API)."""
    tracking_url: str
    """With `{number}` where the tracking number goes."""
    primary: bool = False
    services: tuple[tuple[str, str, bool, bool], ...] = ()
    """(service_code, name, domestic, international)."""


@dataclass(frozen=True)
class Store:
    store_id: str
    name: str
    order_source_code: str


STORES: dict[str, Store] = {
    "shopify": Store("se-301", "Juniper & Pine web shop", "shopify"),
    "etsy": Store("se-302", "Juniper & Pine on Etsy", "etsy"),
    "amazon": Store("se-303", "Juniper & Pine on Amazon", "amazon"),
}

CARRIERS: tuple[CarrierSpec, ...] = (
    CarrierSpec(
        "se-100101",
        "ups",
        "UPS",
        "UPS - Juniper & Pine",
        "A4R8E2",
        3,
        "https://www.ups.com/track?loc=en_US&tracknum={number}&requester=ST/trackdetails",
        primary=True,
        services=(
            ("ups_ground", "UPS® Ground", True, False),
            ("ups_2nd_day_air", "UPS 2nd Day Air®", True, False),
            ("ups_next_day_air", "UPS Next Day Air®", True, False),
        ),
    ),
    CarrierSpec(
        "se-100102",
        "stamps_com",
        "USPS",
        "USPS by Stamps.com",
        "jp-outfitters",
        1,
        "https://tools.usps.com/go/TrackConfirmAction.action?tLabels={number}",
        services=(
            ("usps_ground_advantage", "USPS Ground Advantage", True, False),
            ("usps_priority_mail", "USPS Priority Mail", True, False),
            ("usps_priority_mail_international", "USPS Priority Mail Intl", False, True),
        ),
    ),
    CarrierSpec(
        "se-100103",
        "fedex",
        "FedEx",
        "FedEx - Juniper & Pine",
        "510087020",
        2,
        "https://www.fedex.com/fedextrack/?action=track&trackingnumber={number}",
        services=(
            ("fedex_ground", "FedEx Ground®", True, False),
            ("fedex_home_delivery", "FedEx Home Delivery®", True, False),
            ("fedex_2day", "FedEx 2Day®", True, False),
        ),
    ),
    CarrierSpec(
        "se-100104",
        "dhl_express",
        "DHL Express",
        "DHL Express - Juniper & Pine",
        "961204418",
        8,
        "https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
        services=(("dhl_express_worldwide", "DHL Express Worldwide", False, True),),
    ),
)

# ------------------------------------------------------------------------------------------------ places

LA, DENVER, CHICAGO, NEW_YORK = "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York"
PORTLAND = Place("PORTLAND", "OR", "97218", "US", LA)
# UPS
UPS_PORTLAND = Place("PORTLAND", "OR", "97220", "US", LA)
UPS_HERMISTON = Place("HERMISTON", "OR", "97838", "US", LA)
UPS_SALT_LAKE = Place("SALT LAKE CITY", "UT", "84104", "US", DENVER)
UPS_COMMERCE_CITY = Place("COMMERCE CITY", "CO", "80022", "US", DENVER)
UPS_DENVER = Place("DENVER", "CO", "80205", "US", DENVER)
UPS_DENVER_EAST = Place("DENVER", "CO", "80206", "US", DENVER)
UPS_HODGKINS = Place("HODGKINS", "IL", "60525", "US", CHICAGO)
UPS_CHICAGO = Place("CHICAGO", "IL", "60618", "US", CHICAGO)
UPS_LOUISVILLE = Place("LOUISVILLE", "KY", "40209", "US", "America/Kentucky/Louisville")
UPS_TACOMA = Place("TACOMA", "WA", "98409", "US", LA)
UPS_SEATTLE = Place("SEATTLE", "WA", "98115", "US", LA)
UPS_DFW = Place("MESQUITE", "TX", "75149", "US", CHICAGO)
UPS_NAMPA = Place("NAMPA", "ID", "83687", "US", "America/Boise")
# USPS
USPS_PORTLAND = Place("PORTLAND", "OR", "97218", "US", LA)
USPS_MADISON = Place("MADISON", "WI", "53703", "US", CHICAGO)
USPS_EAGAN = Place("EAGAN", "MN", "55121", "US", CHICAGO)
USPS_BOSTON = Place("BOSTON", "MA", "02205", "US", NEW_YORK)
USPS_ALLSTON = Place("ALLSTON", "MA", "02134", "US", NEW_YORK)
USPS_BILLINGS = Place("BILLINGS", "MT", "59101", "US", DENVER)
USPS_BOZEMAN = Place("BOZEMAN", "MT", "59715", "US", DENVER)
USPS_SF_ISC = Place("SAN FRANCISCO", "CA", "94128", "US", LA)
OSAKA_INTL = Place("OSAKA", None, None, "JP", "Asia/Tokyo")
# FedEx
FEDEX_TROUTDALE = Place("TROUTDALE", "OR", "97060", "US", LA)
FEDEX_PHOENIX = Place("PHOENIX", "AZ", "85043", "US", "America/Phoenix")
FEDEX_PHOENIX_HOME = Place("PHOENIX", "AZ", "85018", "US", "America/Phoenix")
FEDEX_MEMPHIS = Place("MEMPHIS", "TN", "38118", "US", CHICAGO)
FEDEX_INDIANAPOLIS = Place("INDIANAPOLIS", "IN", "46241", "US", "America/Indiana/Indianapolis")
FEDEX_SACRAMENTO = Place("SACRAMENTO", "CA", "95828", "US", LA)
FEDEX_KANSAS_CITY = Place("KANSAS CITY", "MO", "64153", "US", CHICAGO)
FEDEX_SALT_LAKE = Place("SALT LAKE CITY", "UT", "84116", "US", DENVER)
# DHL Express (DHL spells places its own way and rarely gives a state)
DHL_PORTLAND = Place("PORTLAND, OR", None, None, "US", LA)
DHL_CINCINNATI = Place("CINCINNATI HUB, OH", None, None, "US", NEW_YORK)
DHL_EAST_MIDLANDS = Place("EAST MIDLANDS", None, None, "GB", "Europe/London")
DHL_LONDON = Place("LONDON-HEATHROW", None, None, "GB", "Europe/London")
DHL_LEIPZIG = Place("LEIPZIG", None, None, "DE", "Europe/Berlin")
DHL_TORONTO = Place("TORONTO, ON", None, None, "CA", "America/Toronto")
DHL_LOS_ANGELES = Place("LOS ANGELES GATEWAY, CA", None, None, "US", LA)


def _customer(name: str, street: str, city: str, state: str | None, postal: str, country: str, phone: str, **kw):
    return Customer(name, street, Place(city, state, postal, country), phone, **kw)


# ------------------------------------------------------------------------------------------------ items

SOCKS = Item("Merino Trail Socks (2-pack)", "SOCK-MER-M", 2, 24.0, 6.0, "6115.95")
BEANIE = Item("Ridgeline Wool Beanie", "BEAN-RDG-CHA", 1, 32.0, 4.0, "6505.00")
MUG = Item("Enamel Camp Mug, 12 oz", "MUG-ENM-12", 2, 18.0, 9.0, "7323.94")
LANTERN = Item("Cascade Solar Lantern", "LNT-CSC-01", 1, 49.0, 14.0, "9405.40")
TARP = Item("Ultralight Silnylon Tarp 10x10", "TARP-UL-10", 1, 129.0, 18.0, "6306.12")
DAYPACK = Item("Timberline 28L Daypack", "PACK-TMB-28", 1, 115.0, 34.0, "4202.92")
STOVE = Item("Firefly Backpacking Stove", "STV-FFY-01", 1, 64.0, 11.0, "7321.11")
FLEECE = Item("Overlook Grid Fleece, size M", "FLC-OVL-M-GRN", 1, 89.0, 16.0, "6110.30")
HAMMOCK = Item("Driftwood Camp Hammock", "HMK-DFT-01", 1, 74.0, 22.0, "5608.90")
BOTTLE = Item("Insulated Bottle 750 ml", "BTL-INS-750", 3, 28.0, 12.0, "9617.00")
JOURNAL = Item("Waxed-Canvas Field Journal", "JRN-WXC-A5", 2, 22.0, 7.0, "4820.10")
BEANS = Item("Trailhead Coffee Beans 1 kg", "COF-TRH-1KG", 12, 19.5, 36.0, "0901.21")
GRINDER = Item("Hand Coffee Grinder", "GRD-HND-01", 4, 45.0, 20.0, "8210.00")
KETTLE = Item("Pour-Over Camp Kettle", "KTL-POR-1L", 4, 39.0, 18.0, "7323.93")
SLEEPING_PAD = Item("Loft Insulated Sleeping Pad", "PAD-LFT-R", 1, 139.0, 21.0, "9404.29")
HEADLAMP = Item("Beacon 400 Headlamp", "LMP-BCN-400", 1, 39.0, 5.0, "8513.10")
GLOVES = Item("Switchback Softshell Gloves, L", "GLV-SWB-L", 1, 36.0, 5.0, "6116.93")
POSTER = Item("National Parks Letterpress Print", "PRT-NPK-A3", 1, 45.0, 10.0, "4911.91")
TENT = Item("Juniper 2P Backpacking Tent", "TNT-JNP-2P", 1, 389.0, 62.0, "6306.22")
BLANKET = Item("Wool Camp Blanket", "BLK-WOL-TAN", 1, 119.0, 48.0, "6301.20")
CHAIR = Item("Packable Camp Chair", "CHR-PKB-01", 2, 69.0, 36.0, "9401.71")
MAP_CASE = Item("Waterproof Map Case", "MAP-WPC-01", 1, 19.0, 3.0, "4202.92")


# ------------------------------------------------------------------------------------------------ shipments


def _s(
    hours: float, status: str, detail: str | None, text: str, place: Place | None, code: str = "", signer: str = ""
) -> Scan:
    return Scan(hours, status, detail, text, place, code, signer)


def _pkg(number: str, weight_oz: float, dims: tuple[float, float, float] = (12.0, 10.0, 6.0)) -> Package:
    return Package(number, weight_oz, dims)


SHIPMENTS: tuple[ShipmentSpec, ...] = (
    ShipmentSpec(
        "se-4000431",
        "10431",
        "shopify-5523019431",
        "label_purchased",
        400,
        _customer("Marisol Okafor", "2261 Larimer St Apt 4", "Denver", "CO", "80205", "US", "+1 720-555-0131"),
        (FLEECE, SOCKS),
        "shopify",
        "ups_ground",
        labels=(
            LabelSpec(
                "se-5000001",
                "ups",
                "ups_ground",
                396,
                (_pkg("1ZA4R8E20385294598", 30.0),),
                scans=(
                    _s(396, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(380, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(374, "IT", "IN_TRANSIT", "Origin Scan", UPS_PORTLAND, "OR"),
                    _s(352, "IT", "HUB_SCAN_OUT", "Departed from Facility", UPS_SALT_LAKE, "DP"),
                    _s(330, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_COMMERCE_CITY, "AR"),
                    _s(316, "IT", "OUT_FOR_DELIVERY", "Out For Delivery Today", UPS_DENVER, "OT"),
                    _s(309, "DE", "DELIVERED", "DELIVERED", UPS_DENVER, "KB", "OKAFOR"),
                ),
                eta_hours_ago=304,
                cost=11.84,
            ),
        ),
        tags=("Repeat customer",),
    ),
    ShipmentSpec(
        "se-4000432",
        "10432",
        "shopify-5523019432",
        "label_purchased",
        380,
        _customer("Tobias Lindqvist", "718 Williamson St", "Madison", "WI", "53703", "US", "+1 608-555-0148"),
        (BEANIE, GLOVES),
        "shopify",
        "usps_priority_mail",
        labels=(
            LabelSpec(
                "se-5000002",
                "stamps_com",
                "usps_priority_mail",
                377,
                (_pkg("9405511569901962405458", 10.0, (10.0, 7.0, 3.0)),),
                scans=(
                    _s(377, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),
                    _s(360, "AC", "RECEIVED_BY_CARRIER", "USPS in possession of item", USPS_PORTLAND, "03"),
                    _s(351, "IT", "IN_TRANSIT", "Departed USPS Regional Facility", USPS_PORTLAND, "EF"),
                    _s(322, "IT", "IN_TRANSIT", "Arrived at USPS Regional Destination Facility", USPS_MADISON, "10"),
                    _s(308, "IT", "OUT_FOR_DELIVERY", "Out for Delivery", USPS_MADISON, "OF"),
                    _s(303, "DE", "DELIVERED", "Delivered, In/At Mailbox", USPS_MADISON, "01"),
                ),
                eta_hours_ago=300,
                cost=9.35,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000433",
        "10433",
        "etsy-3214587433",
        "label_purchased",
        360,
        _customer("Keiko Brandt", "4410 N 44th St", "Phoenix", "AZ", "85018", "US", "+1 602-555-0119"),
        (HAMMOCK,),
        "etsy",
        "fedex_home_delivery",
        labels=(
            LabelSpec(
                "se-5000003",
                "fedex",
                "fedex_home_delivery",
                357,
                (_pkg("764557050740", 24.0),),
                scans=(
                    _s(357, "NY", None, "Shipment information sent to FedEx", None, "OC"),
                    _s(340, "AC", "RECEIVED_BY_CARRIER", "Picked up", FEDEX_TROUTDALE, "PU"),
                    _s(330, "IT", "IN_TRANSIT", "Departed FedEx location", FEDEX_TROUTDALE, "DP"),
                    _s(300, "IT", "IN_TRANSIT", "Arrived at FedEx location", FEDEX_PHOENIX, "AR"),
                    _s(290, "IT", "OUT_FOR_DELIVERY", "On FedEx vehicle for delivery", FEDEX_PHOENIX_HOME, "OD"),
                    _s(
                        284,
                        "DE",
                        "DELIVERED_TO_NEIGHBOUR",
                        "Delivered - Left with neighbor at 4412 N 44th St",
                        FEDEX_PHOENIX_HOME,
                        "DL",
                    ),
                ),
                eta_hours_ago=280,
                cost=13.20,
            ),
        ),
        gift=True,
        tags=("Gift",),
        notes_from_buyer="It's a birthday present - please no invoice in the box.",
    ),
    ShipmentSpec(
        "se-4000434",
        "10434",
        "shopify-5523019434",
        "cancelled",
        350,
        _customer("Ruth Adebayo", "3017 Bryant Ave S", "Minneapolis", "MN", "55408", "US", "+1 612-555-0177"),
        (DAYPACK,),
        "shopify",
        "usps_priority_mail",
        labels=(
            LabelSpec(
                "se-5000004",
                "stamps_com",
                "usps_priority_mail",
                346,
                (_pkg("9405511084178796242823", 36.0, (18.0, 12.0, 8.0)),),
                scans=(_s(346, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),),
                voided_hours_ago=341,
                cost=14.60,
            ),
        ),
        tags=("Cancelled by customer",),
        modified_hours_ago=341,
    ),
    ShipmentSpec(
        "se-4000435",
        "10435",
        "shopify-5523019435",
        "label_purchased",
        330,
        _customer(
            "Eleanor Whitcombe",
            "14 Chalcot Road",
            "London",
            None,
            "NW1 8LH",
            "GB",
            "+44 20 7946 0321",
            residential=True,
        ),
        (TARP, STOVE),
        "shopify",
        "dhl_express_worldwide",
        labels=(
            LabelSpec(
                "se-5000005",
                "dhl_express",
                "dhl_express_worldwide",
                326,
                (_pkg("7139187705", 32.0, (14.0, 10.0, 6.0)),),
                scans=(
                    _s(320, "AC", "RECEIVED_BY_CARRIER", "Shipment picked up", DHL_PORTLAND, "PU"),
                    _s(
                        306, "IT", "HUB_SCAN_OUT", "Departed Facility in CINCINNATI HUB, OH - USA", DHL_CINCINNATI, "DF"
                    ),
                    _s(
                        294,
                        "IT",
                        "IN_TRANSIT",
                        "Arrived at DHL Sort Facility EAST MIDLANDS - UK",
                        DHL_EAST_MIDLANDS,
                        "AF",
                    ),
                    _s(290, "IT", "CUSTOMS_PROCESSING", "Customs status updated", DHL_EAST_MIDLANDS, "CR"),
                    _s(
                        281,
                        "IT",
                        "CUSTOMS_CLEARED",
                        "Clearance processing complete at EAST MIDLANDS - UK",
                        DHL_EAST_MIDLANDS,
                        "CR",
                    ),
                    _s(272, "IT", "OUT_FOR_DELIVERY", "Shipment is out with courier for delivery", DHL_LONDON, "WC"),
                    _s(268, "DE", "DELIVERED", "Delivered", DHL_LONDON, "OK", "E WHITCOMBE"),
                ),
                eta_hours_ago=264,
                cost=58.10,
            ),
        ),
        customs_contents="merchandise",
        tags=("International",),
    ),
    ShipmentSpec(
        "se-4000436",
        "10436",
        "amazon-113-4829305-7729436",
        "label_purchased",
        310,
        _customer("Colm Fitzgerald", "5718 N College Ave", "Indianapolis", "IN", "46220", "US", "+1 317-555-0102"),
        (SLEEPING_PAD, HEADLAMP),
        "amazon",
        "fedex_2day",
        labels=(
            LabelSpec(
                "se-5000006",
                "fedex",
                "fedex_2day",
                306,
                (_pkg("821213868357", 28.0, (16.0, 8.0, 8.0)),),
                scans=(
                    _s(306, "NY", None, "Shipment information sent to FedEx", None, "OC"),
                    _s(292, "AC", "RECEIVED_BY_CARRIER", "Picked up", FEDEX_TROUTDALE, "PU"),
                    _s(280, "IT", "IN_TRANSIT", "Arrived at FedEx hub", FEDEX_MEMPHIS, "AR"),
                    _s(270, "IT", "IN_TRANSIT", "Departed FedEx hub", FEDEX_MEMPHIS, "DP"),
                    _s(
                        210,
                        "IT",
                        "CARRIER_DELAYS",
                        "Delay - package not yet received at destination",
                        FEDEX_INDIANAPOLIS,
                        "SE",
                    ),
                    _s(
                        90,
                        "EX",
                        "PARCEL_LOST",
                        "Package not found after search. Contact the shipper.",
                        FEDEX_INDIANAPOLIS,
                        "DE",
                    ),
                ),
                eta_hours_ago=244,
                exception_description="Package could not be located after a search of the FedEx network.",
                cost=24.75,
            ),
        ),
        tags=("Prime",),
    ),
    ShipmentSpec(
        "se-4000437",
        "10437",
        "etsy-3214587437",
        "label_purchased",
        290,
        _customer(
            "Winifred Osterhout", "PO Box 1187", "Bozeman", "MT", "59771", "US", "+1 406-555-0163", residential=True
        ),
        (JOURNAL, MAP_CASE),
        "etsy",
        "usps_ground_advantage",
        labels=(
            LabelSpec(
                "se-5000007",
                "stamps_com",
                "usps_ground_advantage",
                287,
                (_pkg("9400111541683485212119", 12.0, (11.0, 8.0, 2.0)),),
                scans=(
                    _s(287, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),
                    _s(268, "AC", "RECEIVED_BY_CARRIER", "Accepted at USPS Origin Facility", USPS_PORTLAND, "OA"),
                    _s(250, "IT", "IN_TRANSIT", "Departed USPS Regional Facility", USPS_PORTLAND, "EF"),
                    _s(214, "IT", "IN_TRANSIT", "Arrived at USPS Regional Facility", USPS_BILLINGS, "10"),
                    _s(190, "IT", "IN_TRANSIT", "Arrived at Post Office", USPS_BOZEMAN, "07"),
                    _s(186, "DE", "DELIVERED_TO_PO_BOX", "Delivered, PO Box", USPS_BOZEMAN, "01"),
                ),
                eta_hours_ago=180,
                cost=6.95,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000438",
        "10438",
        "shopify-5523019438",
        "label_purchased",
        270,
        _customer("Fergus O'Halloran", "1402 Fatherland St", "Nashville", "TN", "37206", "US", "+1 615-555-0184"),
        (BLANKET, MUG),
        "shopify",
        "fedex_ground",
        labels=(
            LabelSpec(
                "se-5000008",
                "fedex",
                "fedex_ground",
                266,
                (_pkg("777240168579", 66.0, (20.0, 14.0, 10.0)),),
                scans=(
                    _s(266, "NY", None, "Shipment information sent to FedEx", None, "OC"),
                    _s(244, "AC", "RECEIVED_BY_CARRIER", "Picked up", FEDEX_TROUTDALE, "PU"),
                    _s(236, "IT", "IN_TRANSIT", "Departed FedEx location", FEDEX_TROUTDALE, "DP"),
                    _s(196, "IT", "IN_TRANSIT", "In transit", FEDEX_SALT_LAKE, "IT"),
                    _s(147, "IT", "IN_TRANSIT", "Arrived at FedEx hub", FEDEX_MEMPHIS, "AR"),
                ),
                # FedEx Ground gave no delivery estimate for this one: the stalled flag is the only warning.
                cost=17.40,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000439",
        "10439",
        "shopify-5523019439",
        "label_purchased",
        250,
        _customer(
            "Haruto Sakamoto",
            "2-11-7 Minamisenba, Chuo-ku",
            "Osaka",
            None,
            "542-0081",
            "JP",
            "+81 6-5550-0143",
        ),
        (POSTER, SOCKS),
        "shopify",
        "usps_priority_mail_international",
        labels=(
            LabelSpec(
                "se-5000009",
                "stamps_com",
                "usps_priority_mail_international",
                246,
                (_pkg("CP520985501US", 14.0, (24.0, 4.0, 4.0)),),
                scans=(
                    _s(246, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),
                    _s(226, "AC", "RECEIVED_BY_CARRIER", "USPS in possession of item", USPS_PORTLAND, "03"),
                    _s(190, "IT", "IN_TRANSIT", "Processed Through Facility, ISC SAN FRANCISCO CA", USPS_SF_ISC, "10"),
                    _s(150, "IT", "IN_TRANSIT", "Departed, ISC SAN FRANCISCO CA", USPS_SF_ISC, "EF"),
                    _s(62, "IT", "CUSTOMS_PROCESSING", "Held in Customs", OSAKA_INTL, "CH"),
                    _s(18, "IT", "CUSTOMS_CLEARED", "Customs Clearance Processing Complete", OSAKA_INTL, "CR"),
                ),
                eta_hours_ago=-60,
                cost=48.90,
            ),
        ),
        customs_contents="merchandise",
        tags=("International",),
    ),
    ShipmentSpec(
        "se-4000440",
        "10440",
        "amazon-113-4829305-7729440",
        "label_purchased",
        230,
        _customer("Henrietta Blackwood", "2720 Land Park Dr", "Sacramento", "CA", "95818", "US", "+1 916-555-0128"),
        (CHAIR,),
        "amazon",
        "fedex_ground",
        labels=(
            LabelSpec(
                "se-5000010",
                "fedex",
                "fedex_ground",
                226,
                (_pkg("630953051557", 76.0, (26.0, 10.0, 8.0)),),
                scans=(
                    _s(226, "NY", None, "Shipment information sent to FedEx", None, "OC"),
                    _s(208, "AC", "RECEIVED_BY_CARRIER", "Picked up", FEDEX_TROUTDALE, "PU"),
                    _s(190, "IT", "IN_TRANSIT", "Arrived at FedEx location", FEDEX_SACRAMENTO, "AR"),
                    _s(170, "IT", "OUT_FOR_DELIVERY", "On FedEx vehicle for delivery", FEDEX_SACRAMENTO, "OD"),
                    _s(160, "EX", "REFUSED_BY_CUSTOMER", "Delivery refused by recipient", FEDEX_SACRAMENTO, "DE"),
                    _s(40, "EX", "RETURN_TO_SENDER", "Returning package to shipper", FEDEX_SACRAMENTO, "RS"),
                ),
                eta_hours_ago=166,
                exception_description="Delivery was not completed; the package is being returned to the shipper.",
                cost=19.85,
            ),
        ),
        tags=("Prime",),
    ),
    ShipmentSpec(
        "se-4000441",
        "10441",
        "shopify-5523019441",
        "label_purchased",
        200,
        _customer("Amara Osei", "3847 Cedar Ave S", "Minneapolis", "MN", "55407", "US", "+1 612-555-0156"),
        (BOTTLE, LANTERN),
        "shopify",
        "usps_ground_advantage",
        labels=(
            LabelSpec(
                "se-5000011",
                "stamps_com",
                "usps_ground_advantage",
                196,
                (_pkg("9400111170578732091134", 50.0, (14.0, 12.0, 8.0)),),
                scans=(
                    _s(196, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),
                    _s(180, "AC", "RECEIVED_BY_CARRIER", "USPS in possession of item", USPS_PORTLAND, "03"),
                    _s(166, "IT", "IN_TRANSIT", "Departed USPS Regional Facility", USPS_PORTLAND, "EF"),
                    _s(96, "IT", "IN_TRANSIT", "Arrived at USPS Regional Facility", USPS_EAGAN, "10"),
                    _s(20, "IT", "CARRIER_DELAYS", "In Transit to Next Facility, Arriving Late", USPS_EAGAN, "NT"),
                ),
                eta_hours_ago=50,
                cost=10.40,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000442",
        "10442",
        "shopify-5523019442",
        "label_purchased",
        180,
        _customer("Lena Vogelsang", "Stargarder Str. 61", "Berlin", None, "10437", "DE", "+49 30 5550 0172"),
        (TENT,),
        "shopify",
        "dhl_express_worldwide",
        labels=(
            LabelSpec(
                "se-5000013",
                "dhl_express",
                "dhl_express_worldwide",
                176,
                (_pkg("8231297266", 70.0, (22.0, 8.0, 8.0)),),
                scans=(
                    _s(170, "AC", "RECEIVED_BY_CARRIER", "Shipment picked up", DHL_PORTLAND, "PU"),
                    _s(
                        150, "IT", "HUB_SCAN_OUT", "Departed Facility in CINCINNATI HUB, OH - USA", DHL_CINCINNATI, "DF"
                    ),
                    _s(134, "IT", "IN_TRANSIT", "Arrived at DHL Sort Facility LEIPZIG - GERMANY", DHL_LEIPZIG, "AF"),
                    _s(
                        30,
                        "IT",
                        "HELD_BY_CUSTOMS",
                        "Shipment on hold: customs require the commercial invoice with the tariff code",
                        DHL_LEIPZIG,
                        "CH",
                    ),
                ),
                eta_hours_ago=70,
                cost=86.30,
            ),
        ),
        customs_contents="merchandise",
        tags=("International",),
    ),
    ShipmentSpec(
        "se-4000443",
        "10443",
        "shopify-5523019443",
        "label_purchased",
        160,
        _customer("Priya Natarajan", "3120 NE 65th St", "Seattle", "WA", "98115", "US", "+1 206-555-0110"),
        (DAYPACK, HEADLAMP, BOTTLE),
        "shopify",
        "ups_ground",
        labels=(
            LabelSpec(
                "se-5000012",
                "ups",
                "ups_ground",
                40,
                (_pkg("1ZA4R8E20361199987", 58.0, (18.0, 14.0, 10.0)),),
                scans=(
                    _s(40, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(30, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(27, "IT", "IN_TRANSIT", "Origin Scan", UPS_PORTLAND, "OR"),
                    _s(20, "IT", "HUB_SCAN_OUT", "Departed from Facility", UPS_PORTLAND, "DP"),
                    _s(12, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_TACOMA, "AR"),
                    _s(7, "IT", "IN_TRANSIT", "Loaded on Delivery Vehicle", UPS_SEATTLE, "YP"),
                    _s(2, "IT", "OUT_FOR_DELIVERY", "Out For Delivery Today", UPS_SEATTLE, "OT"),
                ),
                eta_hours_ago=2,
                eta_is_day=True,
                cost=12.65,
            ),
        ),
        tags=("Backorder",),
        notes_from_buyer="Please leave at the side door if nobody answers.",
    ),
    ShipmentSpec(
        "se-4000444",
        "10444",
        "shopify-5523019444",
        "label_purchased",
        150,
        _customer("Desmond Achterberg", "305 E 900 S", "Salt Lake City", "UT", "84111", "US", "+1 801-555-0193"),
        (STOVE, MUG),
        "shopify",
        "ups_ground",
        labels=(
            LabelSpec(
                "se-5000014",
                "ups",
                "ups_ground",
                146,
                (_pkg("1ZA4R8E20339629250", 26.0),),
                scans=(
                    _s(146, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(128, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(118, "IT", "IN_TRANSIT", "Departed from Facility", UPS_HERMISTON, "DP"),
                    _s(100, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_SALT_LAKE, "AR"),
                    _s(80, "IT", "OUT_FOR_DELIVERY", "Out For Delivery Today", UPS_SALT_LAKE, "OT"),
                    _s(
                        74,
                        "EX",
                        "ADDRESS_QUERY",
                        "The street number is incorrect. This may cause a delay. We're attempting to update this "
                        "information.",
                        UPS_SALT_LAKE,
                        "X1",
                    ),
                ),
                eta_hours_ago=76,
                exception_description="The street number is incorrect. This may cause a delay.",
                cost=12.10,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000445",
        "10445",
        "WHOLESALE-2026-0117",
        "label_purchased",
        120,
        _customer(
            "Quentin Hollis",
            "1603 S Congress Ave",
            "Austin",
            "TX",
            "78704",
            "US",
            "+1 512-555-0147",
            company="Hollis & Reed Coffee Roasters",
            residential=False,
        ),
        (BEANS, GRINDER, KETTLE),
        "shopify",
        "ups_ground",
        labels=(
            LabelSpec(
                "se-5000015",
                "ups",
                "ups_ground",
                104,
                (
                    _pkg("1ZA4R8E20373280204", 192.0, (18.0, 14.0, 10.0)),
                    _pkg("1ZA4R8E20329404378", 136.0, (14.0, 12.0, 8.0)),
                    _pkg("1ZA4R8E20311441987", 52.0, (10.0, 8.0, 4.0)),
                ),
                scans=(
                    _s(104, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(94, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(88, "IT", "IN_TRANSIT", "Origin Scan", UPS_PORTLAND, "OR"),
                    _s(60, "IT", "HUB_SCAN_OUT", "Departed from Facility", UPS_SALT_LAKE, "DP"),
                    _s(22, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_DFW, "AR"),
                    _s(5, "IT", "HUB_SCAN_OUT", "Departed from Facility", UPS_DFW, "DP"),
                ),
                eta_hours_ago=-26,
                cost=61.92,
            ),
        ),
        tags=("Wholesale", "Fragile"),
        extra={"box_note": "3 boxes"},
    ),
    ShipmentSpec(
        "se-4000446",
        "10446",
        "shopify-5523019446",
        "label_purchased",
        100,
        _customer("Javier Montoya-Reyes", "2934 W Diversey Ave", "Chicago", "IL", "60647", "US", "+1 773-555-0165"),
        (SLEEPING_PAD,),
        "shopify",
        "ups_2nd_day_air",
        labels=(
            LabelSpec(
                "se-5000016",
                "ups",
                "ups_2nd_day_air",
                64,
                (_pkg("1ZA4R8E20293229421", 22.0, (16.0, 8.0, 8.0)),),
                scans=(
                    _s(64, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(56, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(50, "IT", "IN_TRANSIT", "Departed from Facility", UPS_PORTLAND, "DP"),
                    _s(40, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_LOUISVILLE, "AR"),
                    _s(30, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_HODGKINS, "AR"),
                    _s(10, "IT", "OUT_FOR_DELIVERY", "Out For Delivery Today", UPS_CHICAGO, "OT"),
                    _s(
                        4,
                        "AT",
                        "ATTEMPTED_DELIVERY",
                        "The receiver was not available for delivery. We'll make a second attempt the next "
                        "business day.",
                        UPS_CHICAGO,
                        "48",
                    ),
                ),
                eta_hours_ago=5,
                cost=27.30,
            ),
        ),
        tags=("Rush",),
    ),
    ShipmentSpec(
        "se-4000447",
        "10447",
        "etsy-3214587447",
        "label_purchased",
        90,
        _customer("Priscilla Nakamura-Vance", "88 Gordon St Apt 2", "Allston", "MA", "02134", "US", "+1 617-555-0139"),
        (JOURNAL, POSTER),
        "etsy",
        "usps_priority_mail",
        labels=(
            LabelSpec(
                "se-5000017",
                "stamps_com",
                "usps_priority_mail",
                86,
                (_pkg("9405511836264172139766", 16.0, (24.0, 4.0, 4.0)),),
                scans=(
                    _s(86, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),
                    _s(78, "AC", "RECEIVED_BY_CARRIER", "USPS in possession of item", USPS_PORTLAND, "03"),
                    _s(70, "IT", "IN_TRANSIT", "Departed USPS Regional Facility", USPS_PORTLAND, "EF"),
                    _s(30, "IT", "IN_TRANSIT", "Arrived at USPS Regional Destination Facility", USPS_BOSTON, "10"),
                    _s(
                        12,
                        "AT",
                        "CUSTOMER_CARDED",
                        "Notice Left (No Authorized Recipient Available)",
                        USPS_ALLSTON,
                        "02",
                    ),
                    _s(
                        6,
                        "SP",
                        "COLLECT_AT_LOCAL_PO",
                        "Available for Pickup at ALLSTON Post Office, 47 Harvard Ave",
                        USPS_ALLSTON,
                        "PC",
                    ),
                ),
                eta_hours_ago=14,
                cost=10.85,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000448",
        "10448",
        "amazon-113-4829305-7729448",
        "label_purchased",
        80,
        _customer("Ngozi Elumelu", "4120 Warwick Blvd", "Kansas City", "MO", "64111", "US", "+1 816-555-0181"),
        (FLEECE, GLOVES),
        "amazon",
        "fedex_ground",
        labels=(
            LabelSpec(
                "se-5000018",
                "fedex",
                "fedex_ground",
                76,
                (_pkg("758088106758", 22.0),),
                scans=(
                    _s(76, "NY", None, "Shipment information sent to FedEx", None, "OC"),
                    _s(60, "AC", "RECEIVED_BY_CARRIER", "Picked up", FEDEX_TROUTDALE, "PU"),
                    _s(
                        18,
                        "UN",
                        "CARRIER_STATUS_NOT_MAPPED",
                        "Package status update: see carrier for details",
                        FEDEX_KANSAS_CITY,
                        "SE",
                    ),
                ),
                eta_hours_ago=-30,
                cost=15.10,
            ),
        ),
        tags=("Prime",),
    ),
    ShipmentSpec(
        "se-4000449",
        "10449",
        "shopify-5523019449",
        "label_purchased",
        70,
        _customer("Wendell Park", "1211 W Hays St", "Boise", "ID", "83702", "US", "+1 208-555-0124"),
        (LANTERN, MUG, SOCKS),
        "shopify",
        "ups_ground",
        labels=(
            LabelSpec(
                "se-5000019",
                "stamps_com",
                "usps_priority_mail",
                68,
                (_pkg("9405511121230235063304", 40.0),),
                scans=(_s(68, "NY", None, "Shipping Label Created, USPS Awaiting Item", USPS_PORTLAND, "GX"),),
                voided_hours_ago=66,
                cost=13.95,
            ),
            LabelSpec(
                "se-5000020",
                "ups",
                "ups_ground",
                65,
                (_pkg("1ZA4R8E20341849759", 40.0),),
                scans=(
                    _s(65, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(50, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(44, "IT", "IN_TRANSIT", "Origin Scan", UPS_PORTLAND, "OR"),
                    _s(20, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_NAMPA, "AR"),
                    _s(8, "IT", "HUB_SCAN_OUT", "Departed from Facility", UPS_NAMPA, "DP"),
                ),
                eta_hours_ago=-18,
                cost=11.20,
            ),
        ),
        tags=("Relabelled",),
        modified_hours_ago=65,
    ),
    ShipmentSpec(
        "se-4000450",
        "10450",
        "shopify-5523019450",
        "label_purchased",
        60,
        _customer("Margaux Tremblay", "912 Queen St W", "Toronto", "ON", "M6J 1G8", "CA", "+1 416-555-0107"),
        (BEANIE, FLEECE),
        "shopify",
        "dhl_express_worldwide",
        labels=(
            LabelSpec(
                "se-5000021",
                "dhl_express",
                "dhl_express_worldwide",
                56,
                (_pkg("3592195832", 22.0),),
                scans=(
                    _s(50, "AC", "RECEIVED_BY_CARRIER", "Shipment picked up", DHL_PORTLAND, "PU"),
                    _s(38, "IT", "HUB_SCAN_OUT", "Departed Facility in CINCINNATI HUB, OH - USA", DHL_CINCINNATI, "DF"),
                    _s(
                        20,
                        "IT",
                        "CUSTOMS_CLEARED",
                        "Clearance processing complete at TORONTO, ON - CANADA",
                        DHL_TORONTO,
                        "CR",
                    ),
                    _s(9, "IT", "OUT_FOR_DELIVERY", "Shipment is out with courier for delivery", DHL_TORONTO, "WC"),
                    _s(3, "DE", "DELIVERED", "Delivered", DHL_TORONTO, "OK", "TREMBLAY"),
                ),
                eta_hours_ago=0,
                cost=44.60,
            ),
        ),
        customs_contents="merchandise",
        tags=("International",),
    ),
    ShipmentSpec(
        "se-4000451",
        "10451",
        "amazon-113-4829305-7729451",
        "label_purchased",
        50,
        _customer("Bartholomew Quist", "5012 Underwood Ave", "Omaha", "NE", "68132", "US", "+1 402-555-0176"),
        (TARP,),
        "amazon",
        "fedex_ground",
        labels=(
            LabelSpec(
                "se-5000022",
                "fedex",
                "fedex_ground",
                46,
                (_pkg("834399177615", 20.0),),
                scans=(
                    _s(46, "NY", None, "Shipment information sent to FedEx", None, "OC"),
                    _s(32, "AC", "RECEIVED_BY_CARRIER", "Picked up", FEDEX_TROUTDALE, "PU"),
                    _s(24, "IT", "IN_TRANSIT", "Departed FedEx location", FEDEX_TROUTDALE, "DP"),
                    _s(
                        9,
                        "IT",
                        "CARRIER_DELAYS",
                        "Delay: weather conditions. Delivery date updated.",
                        FEDEX_SALT_LAKE,
                        "SE",
                    ),
                ),
                eta_hours_ago=-44,
                cost=14.30,
            ),
        ),
        tags=("Prime",),
    ),
    ShipmentSpec(
        "se-4000452",
        "10452",
        "shopify-5523019452",
        "label_purchased",
        40,
        _customer("Imogen Castellanos", "1840 Cherry St", "Denver", "CO", "80220", "US", "+1 303-555-0150"),
        (HEADLAMP, GLOVES),
        "shopify",
        "ups_2nd_day_air",
        labels=(
            LabelSpec(
                "se-5000023",
                "ups",
                "ups_2nd_day_air",
                38,
                (_pkg("1ZA4R8E20295331977", 10.0, (10.0, 8.0, 4.0)),),
                scans=(
                    _s(38, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(32, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                    _s(26, "IT", "IN_TRANSIT", "Departed from Facility", UPS_PORTLAND, "DP"),
                    _s(16, "IT", "IN_TRANSIT", "Arrived at Facility", UPS_LOUISVILLE, "AR"),
                    _s(6, "IT", "OUT_FOR_DELIVERY", "Out For Delivery Today", UPS_DENVER_EAST, "OT"),
                    _s(1, "DE", "DELIVERED", "DELIVERED - FRONT DOOR", UPS_DENVER_EAST, "KB"),
                ),
                eta_hours_ago=-4,
                cost=22.40,
            ),
        ),
        tags=("Rush",),
    ),
    ShipmentSpec(
        "se-4000453",
        "10453",
        "shopify-5523019453",
        "label_purchased",
        30,
        _customer("Callum Pemberton", "27 Church St", "Richmond", "VIC", "3121", "AU", "+61 3 5550 0168"),
        (HAMMOCK, BOTTLE),
        "shopify",
        "dhl_express_worldwide",
        labels=(
            LabelSpec(
                "se-5000024",
                "dhl_express",
                "dhl_express_worldwide",
                28,
                (_pkg("1649295690", 58.0),),
                scans=(
                    _s(24, "AC", "RECEIVED_BY_CARRIER", "Shipment picked up", DHL_PORTLAND, "PU"),
                    _s(
                        14,
                        "IT",
                        "IN_TRANSIT",
                        "Arrived at DHL Sort Facility LOS ANGELES GATEWAY, CA - USA",
                        DHL_LOS_ANGELES,
                        "AF",
                    ),
                    _s(
                        7,
                        "IT",
                        "HUB_SCAN_OUT",
                        "Departed Facility in LOS ANGELES GATEWAY, CA - USA",
                        DHL_LOS_ANGELES,
                        "DF",
                    ),
                ),
                eta_hours_ago=-50,
                cost=112.45,
            ),
        ),
        customs_contents="merchandise",
        tags=("International",),
    ),
    ShipmentSpec(
        "se-4000454",
        "10454",
        "etsy-3214587454",
        "label_purchased",
        20,
        _customer("Beatrix Thornbury", "3340 Upas St", "San Diego", "CA", "92104", "US", "+1 619-555-0112"),
        (MUG, JOURNAL),
        "etsy",
        "ups_ground",
        labels=(
            LabelSpec(
                "se-5000025",
                "ups",
                "ups_ground",
                16,
                (_pkg("1ZA4R8E20316367200", 30.0),),
                scans=(
                    _s(16, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                    _s(3, "AC", "RECEIVED_BY_CARRIER", "Pickup Scan", UPS_PORTLAND, "PU"),
                ),
                eta_hours_ago=-70,
                cost=13.05,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000455",
        "10455",
        "shopify-5523019455",
        "label_purchased",
        12,
        _customer("Oskar Haugen", "1125 W Riverside Ave", "Spokane", "WA", "99201", "US", "+1 509-555-0191"),
        (BEANIE,),
        "shopify",
        "usps_ground_advantage",
        labels=(
            LabelSpec(
                "se-5000026",
                "stamps_com",
                "usps_ground_advantage",
                8,
                (_pkg("9400111176025135974273", 6.0, (9.0, 6.0, 2.0)),),
                scans=(
                    _s(
                        8,
                        "NY",
                        "ELEC_ADVICE_RECD_BY_CARRIER",
                        "Shipping Label Created, USPS Awaiting Item",
                        USPS_PORTLAND,
                        "GX",
                    ),
                ),
                eta_hours_ago=-64,
                cost=5.40,
            ),
        ),
    ),
    ShipmentSpec(
        "se-4000456",
        "10456",
        "shopify-5523019456",
        "processing",
        8,
        _customer("Anselm Kowalczyk", "2416 N Bremen St", "Milwaukee", "WI", "53212", "US", "+1 414-555-0133"),
        (STOVE, HEADLAMP),
        "shopify",
        "ups_ground",
        ship_by_hours_ago=-40,
    ),
    ShipmentSpec(
        "se-4000457",
        "10457",
        "etsy-3214587457",
        "pending",
        6,
        _customer("Rosalind Mbeki", "455 Moreland Ave NE", "Atlanta", "GA", "30307", "US", "+1 404-555-0146"),
        (POSTER,),
        "etsy",
        "usps_priority_mail",
        ship_by_hours_ago=-66,
        gift=True,
        tags=("Gift",),
    ),
    ShipmentSpec(
        "se-4000458",
        "10458",
        "WEB/10458",
        "pending",
        4,
        _customer("Theo Lindgren", "112 N Winooski Ave", "Burlington", "VT", "05401", "US", "+1 802-555-0170"),
        (TENT, SLEEPING_PAD),
        "shopify",
        "ups_ground",
        tags=("Awaiting stock",),
        ship_by_hours_ago=-116,
    ),
    ShipmentSpec(
        "se-4000459",
        "10459",
        "amazon-113-4829305-7729459",
        "processing",
        3,
        _customer("Saoirse Delacroix", "1014 Esplanade Ave", "New Orleans", "LA", "70116", "US", "+1 504-555-0115"),
        (CHAIR, BLANKET),
        "amazon",
        "fedex_ground",
        hold_until_hours_ago=-44,
        notes_from_buyer="Hold until I'm back from travel, please.",
        tags=("On hold",),
    ),
    ShipmentSpec(
        "se-4000460",
        "10460",
        "shopify-5523019460",
        "cancelled",
        2,
        _customer("Griselda Fairweather", "2301 E Speedway Blvd", "Tucson", "AZ", "85719", "US", "+1 520-555-0188"),
        (GLOVES,),
        "shopify",
        "usps_ground_advantage",
        tags=("Cancelled by customer",),
        modified_hours_ago=1,
    ),
)

SHIP_FROM = _customer(
    "Shipping Department",
    "1433 SE 10th Ave",
    "Portland",
    "OR",
    "97214",
    "US",
    "+1 503-555-0142",
    company="Juniper & Pine Outfitters",
    residential=False,
)
WAREHOUSE_ID = "se-61"


@dataclass(frozen=True)
class FulfillmentSpec:
    """An order marked shipped outside ShipStation (by hand, or by a fulfillment provider): no label in the
    account, only a carrier name and a tracking number (`GET /v2/fulfillments`)."""

    fulfillment_id: str
    shipment_id: str
    carrier_name: str
    """As the fulfillment carries it: a friendly name (`FedEx`), no carrier code."""
    shipped_hours_ago: float
    package: LabelSpec
    """The package's carrier history, for `GET /tracking` (label_id empty: it is none of the account's labels)."""
    provider: str = "External"


FULFILLMENTS: tuple[FulfillmentSpec, ...] = (
    # Order 10456 went out from the shop counter with a UPS label printed on UPS's own site; the merchant then
    # marked it shipped by hand, so ShipStation knows the number and nothing else.
    FulfillmentSpec(
        "se-16700456",
        "se-4000456",
        "UPS",
        5,
        LabelSpec(
            "",
            "ups",
            "ups_ground",
            5.5,
            (Package("1Z7R4W830348812065", 88),),
            scans=(
                _s(5, "NY", None, "Shipper created a label, UPS has not received the package yet.", None, "MP"),
                _s(2, "AC", "RECEIVED_BY_CARRIER", "Drop-Off", UPS_PORTLAND, "DP"),
            ),
            eta_hours_ago=-70,
        ),
    ),
)
