"""A members' club shop with the messy shapes of real company databases (map: club_map/map.yaml).

- Kenji's e-mail is stored as `Kenji.Sato@Example.COM`, his phone as `080-1234-5678`; he sent an
  inquiry without signing in from `kenji.sato@example.com` and another from a work address with
  his phone written `+81 80 1234 5678`.
- Members refer members: Hanako was referred by Kenji, Taro by Yuki (`referred_by`, a foreign key).
- Hanako's order (kept seven years for tax) was paid with Yuki's card (a foreign key to cards).
- Kenji and Hanako share household 1 (`household_id`, no foreign key in the database).
- Hanako's payment names Yuki as payer (typed by Hanako); Kenji's order is a gift to Yuki.
- Taro typed Kenji's address into his own inquiry: that row stays Taro's.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from mamori.catalog.mapfile import PrivacyMap, load_map

MAP = Path(__file__).with_name("club_map")
ENV = "MAMORI_CLUB_URL"

metadata = sa.MetaData()
members = sa.Table(
    "members",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(120), nullable=False, unique=True),
    sa.Column("phone", sa.String(30)),
    sa.Column("name", sa.String(80)),
    sa.Column("referred_by", sa.Integer, sa.ForeignKey("members.id")),
    sa.Column("household_id", sa.Integer),  # no foreign key: only the map knows the link
    sa.Column("restricted", sa.Boolean, nullable=False, default=False),
)
households = sa.Table(
    "households",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("address", sa.String(200)),
    sa.Column("postal_code", sa.String(10)),
)
cards = sa.Table(
    "cards",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
    sa.Column("last4", sa.String(4)),
    sa.Column("holder", sa.String(80)),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id"), nullable=False),
    sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.id")),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("ship_name", sa.String(80)),
    sa.Column("gift_recipient", sa.String(80)),
)
payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=False),
    sa.Column("amount", sa.Integer, nullable=False),
    sa.Column("payer_name", sa.String(80)),
)
inquiries = sa.Table(
    "inquiries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("member_id", sa.Integer, sa.ForeignKey("members.id")),
    sa.Column("email", sa.String(120)),
    sa.Column("phone", sa.String(30)),
    sa.Column("body", sa.Text),
)

KENJI, HANAKO, YUKI, TARO = 1, 2, 3, 4
ROWS: list[tuple[sa.Table, list[dict[str, object]]]] = [
    (
        households,
        [
            {"id": 1, "address": "1-2-3 Shibuya, Tokyo", "postal_code": "150-0002"},
            {"id": 2, "address": "4-5-6 Kita, Osaka", "postal_code": "530-0001"},
            {"id": 3, "address": "7-8-9 Naka, Nagoya", "postal_code": "460-0008"},
        ],
    ),
    (
        members,
        [
            {
                "id": KENJI,
                "email": "Kenji.Sato@Example.COM",
                "phone": "080-1234-5678",
                "name": "Sato Kenji",
                "referred_by": None,
                "household_id": 1,
                "restricted": False,
            },
            {
                "id": HANAKO,
                "email": "hanako@example.jp",
                "phone": "090-1111-2222",
                "name": "Sato Hanako",
                "referred_by": KENJI,
                "household_id": 1,
                "restricted": False,
            },
            {
                "id": YUKI,
                "email": "yuki@example.jp",
                "phone": None,
                "name": "Tanaka Yuki",
                "referred_by": None,
                "household_id": 2,
                "restricted": False,
            },
            {
                "id": TARO,
                "email": "taro@example.jp",
                "phone": "+81 3-1234-5678",
                "name": "Suzuki Taro",
                "referred_by": YUKI,
                "household_id": 3,
                "restricted": False,
            },
        ],
    ),
    (
        cards,
        [
            {"id": 10, "member_id": YUKI, "last4": "4242", "holder": "YUKI TANAKA"},
            {"id": 11, "member_id": KENJI, "last4": "1111", "holder": "KENJI SATO"},
        ],
    ),
    (
        orders,
        [
            {
                "id": 100,
                "member_id": HANAKO,
                "card_id": 10,
                "total": 5000,
                "ship_name": "Sato Hanako",
                "gift_recipient": None,
            },
            {
                "id": 101,
                "member_id": KENJI,
                "card_id": 11,
                "total": 3000,
                "ship_name": "Sato Kenji",
                "gift_recipient": "Tanaka Yuki",
            },
            {
                "id": 102,
                "member_id": TARO,
                "card_id": None,
                "total": 1200,
                "ship_name": "Suzuki Taro",
                "gift_recipient": None,
            },
        ],
    ),
    (
        payments,
        [
            {"id": 1000, "order_id": 100, "amount": 5000, "payer_name": "Tanaka Yuki"},
            {"id": 1001, "order_id": 101, "amount": 3000, "payer_name": "Sato Kenji"},
        ],
    ),
    (
        inquiries,
        [
            {
                "id": 1,
                "member_id": None,
                "email": "kenji.sato@example.com",
                "phone": None,
                "body": "Do you ship abroad?",
            },
            {
                "id": 2,
                "member_id": None,
                "email": "k.sato@work.example",
                "phone": "+81 80 1234 5678",
                "body": "Call me",
            },
            {"id": 3, "member_id": TARO, "email": "kenji.sato@example.com", "phone": None, "body": "For Kenji"},
            {"id": 4, "member_id": None, "email": "someone@example.org", "phone": None, "body": "Hello"},
        ],
    ),
]


def create_club(url: str) -> None:
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    with engine.begin() as connection:
        for table, rows in ROWS:
            connection.execute(table.insert(), rows)
    engine.dispose()


def club_map() -> PrivacyMap:
    result = load_map([MAP])
    assert result.ok and result.map is not None, result.problems
    return result.map


def snapshot(url: str) -> dict[str, set[tuple[object, ...]]]:
    """Every row of every table, to compare before and after."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        found = {
            table.name: {tuple(row) for row in connection.execute(sa.select(table))} for table in metadata.sorted_tables
        }
    engine.dispose()
    return found
