"""The onemall demo shop: a SQLite database with examples/onemall/shop-schema.sql and sample data.

`mamori demo` points MAMORI_ONEMALL_SHOP_URL at it, so a verified erasure request really deletes
the person's rows (and keeps the tax records under their 7-year hold), and an access request
yields a real package. Hanako Yamada is the demo subject; one of her orders was a gift paid by
Taro Suzuki: that payment row is Taro's and stays out of Hanako's package and erasure.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

SHOP_FILE = "onemall-shop.sqlite3"

CUSTOMERS = [
    (
        1,
        "hanako.yamada@example.jp",
        "Hanako",
        "Yamada",
        "+81 90-1234-5678",
        "pbkdf2$demo$1",
        "ja",
        "active",
        "2023-04-02 10:15:00",
        None,
    ),
    (
        2,
        "taro.suzuki@example.jp",
        "Taro",
        "Suzuki",
        "+81 80-2345-6789",
        "pbkdf2$demo$2",
        "ja",
        "active",
        "2023-06-11 09:00:00",
        None,
    ),
    (
        3,
        "emily.clark@example.com",
        "Emily",
        "Clark",
        "+1 415-555-0134",
        "pbkdf2$demo$3",
        "en",
        "active",
        "2024-01-20 18:30:00",
        None,
    ),
]
SOCIAL_ACCOUNTS = [
    (
        1,
        1,
        "google",
        "g-1029384756",
        "https://profiles.example/hanako",
        "https://img.example/hanako.jpg",
        "2023-04-02 10:16:00",
    ),
    (2, 3, "facebook", "fb-5647382910", "https://facebook.example/emily", None, "2024-01-20 18:31:00"),
]
ADDRESSES = [
    (
        1,
        1,
        "residential",
        "Yamada Hanako",
        "150-0001",
        "Tokyo",
        "Shibuya-ku",
        "Jingumae 1-2-3",
        "Room 401",
        "JP",
        "+81 90-1234-5678",
    ),
    (2, 1, "billing", "Yamada Hanako", "150-0001", "Tokyo", "Shibuya-ku", "Jingumae 1-2-3", None, "JP", None),
    (3, 2, "residential", "Suzuki Taro", "530-0001", "Osaka", "Kita-ku", "Umeda 2-4-9", None, "JP", None),
    (4, 3, "residential", "Emily Clark", "94103", "CA", "San Francisco", "500 Howard St", "Apt 12", "US", None),
]
ORDERS = [
    (
        1,
        1,
        "2024-03-05 12:00:00",
        "delivered",
        "4980.00",
        "JPY",
        "Yamada Hanako",
        "Tokyo Shibuya-ku Jingumae 1-2-3",
        "+81 90-1234-5678",
        "Yamada Hanako",
        "Tokyo Shibuya-ku Jingumae 1-2-3",
        "203.0.113.10",
    ),
    # A gift: Hanako's order, paid by Taro (payment 2 is Taro's).
    (
        2,
        1,
        "2024-07-19 20:45:00",
        "delivered",
        "12800.00",
        "JPY",
        "Yamada Hanako",
        "Tokyo Shibuya-ku Jingumae 1-2-3",
        "+81 90-1234-5678",
        "Suzuki Taro",
        "Osaka Kita-ku Umeda 2-4-9",
        "203.0.113.10",
    ),
    (
        3,
        2,
        "2024-08-01 08:10:00",
        "shipped",
        "2200.00",
        "JPY",
        "Suzuki Taro",
        "Osaka Kita-ku Umeda 2-4-9",
        None,
        "Suzuki Taro",
        "Osaka Kita-ku Umeda 2-4-9",
        "198.51.100.7",
    ),
    (
        4,
        3,
        "2024-09-14 02:30:00",
        "paid",
        "59.90",
        "USD",
        "Emily Clark",
        "500 Howard St, San Francisco CA",
        "+1 415-555-0134",
        "Emily Clark",
        "500 Howard St, San Francisco CA",
        "192.0.2.44",
    ),
]
ORDER_ITEMS = [
    (1, 1, "OM-TEA-001", "Uji matcha 100 g", 2, "2490.00"),
    (2, 2, "OM-KNF-014", "Seki chef's knife", 1, "12800.00"),
    (3, 3, "OM-SOX-203", "Tabi socks", 4, "550.00"),
    (4, 4, "OM-FAN-301", "Folding fan", 1, "59.90"),
]
PAYMENTS = [
    (1, 1, 1, "stripe", "pi_3Hanako001", "4980.00", "JPY", "visa", "4242", "succeeded", "2024-03-05 12:01:00"),
    (2, 2, 2, "paypal", "PAYID-TARO-7788", "12800.00", "JPY", None, None, "succeeded", "2024-07-19 20:46:00"),
    (3, 3, 2, "stripe", "pi_3Taro002", "2200.00", "JPY", "mastercard", "5454", "succeeded", "2024-08-01 08:11:00"),
    (4, 4, 3, "braintree", "bt_emily_0001", "59.90", "USD", "amex", "0005", "succeeded", "2024-09-14 02:31:00"),
]
INQUIRIES = [
    (
        1,
        1,
        "Yamada Hanako",
        "hanako.yamada@example.jp",
        "Delivery date",
        "When will order 2 arrive?",
        "It ships tomorrow.",
        "resolved",
        "2024-07-20 09:00:00",
        "2024-07-20 15:00:00",
    ),
    (
        2,
        None,
        "Sato Kenji",
        "kenji.sato@example.jp",
        "Gift wrapping",
        "Do you wrap gifts?",
        None,
        "open",
        "2024-10-01 11:00:00",
        None,
    ),
    (
        3,
        3,
        "Emily Clark",
        "emily.clark@example.com",
        "Customs",
        "Do I pay import duties?",
        None,
        "open",
        "2024-09-15 17:00:00",
        None,
    ),
    # Visitors' inquiries resolved long ago: the retention rule inquiry-data (OM13) disposes of
    # them, so `mamori retention plan` has something to show in the demo.
    (
        4,
        None,
        "Ito Yuki",
        "yuki.ito@example.jp",
        "Returns",
        "Can I return an opened tea tin?",
        "Unopened only, sorry.",
        "resolved",
        "2025-01-10 09:30:00",
        "2025-01-10 16:00:00",
    ),
    (
        5,
        None,
        "Mori Aya",
        "aya.mori@example.jp",
        "Invoice",
        "Please send a receipt for order 9.",
        "Sent by e-mail.",
        "resolved",
        "2025-02-03 11:00:00",
        "2025-02-04 10:00:00",
    ),
]
NEWSLETTER = [
    (1, 1, "hanako.yamada@example.jp", "registration", "2023-04-02 10:15:00", None),
    (2, 3, "emily.clark@example.com", "checkout", "2024-09-14 02:30:00", None),
    # A visitor without an account (Kenji also sent inquiry 2): found by the e-mail alone.
    (3, None, "kenji.sato@example.jp", "footer", "2024-10-01 11:05:00", None),
]
SESSIONS = [
    (1, 1, "203.0.113.10", "Mozilla/5.0 (iPhone)", "JP", "Tokyo", "2024-07-19 20:30:00", "2024-07-19 21:00:00"),
    (2, 1, "203.0.113.11", "Mozilla/5.0 (Macintosh)", "JP", "Tokyo", "2024-10-02 08:00:00", "2024-10-02 08:20:00"),
    (3, 2, "198.51.100.7", "Mozilla/5.0 (Windows)", "JP", "Osaka", "2024-08-01 08:00:00", "2024-08-01 08:15:00"),
]
USAGE_EVENTS = [
    (1, 1, "dev-hanako-1", "https://www.onemall.jp/products/OM-KNF-014", "2024-07-19 20:40:00", 42000),
    (2, 1, "dev-hanako-1", "https://www.onemall.jp/cart", "2024-07-19 20:44:00", 9000),
    (3, None, "dev-anon-77", "https://www.onemall.jp/", "2024-10-03 10:00:00", 3000),
    (4, 2, "dev-taro-1", "https://www.onemall.jp/products/OM-SOX-203", "2024-08-01 08:05:00", 15000),
]

TABLES: dict[str, list[tuple[Any, ...]]] = {
    "customers": CUSTOMERS,
    "social_accounts": SOCIAL_ACCOUNTS,
    "addresses": ADDRESSES,
    "orders": ORDERS,
    "order_items": ORDER_ITEMS,
    "payments": PAYMENTS,
    "inquiries": INQUIRIES,
    "newsletter_subscriptions": NEWSLETTER,
    "login_sessions": SESSIONS,
    "usage_events": USAGE_EVENTS,
}


def shop_schema_path() -> Path:
    candidates = [
        Path(__file__).resolve().parents[2] / "examples" / "onemall" / "shop-schema.sql",
        Path.cwd() / "examples" / "onemall" / "shop-schema.sql",
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("examples/onemall/shop-schema.sql not found")


def create_shop(path: Path) -> None:
    """Create the shop database at `path` (which must not exist yet) with the sample data."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(shop_schema_path().read_text(encoding="utf-8"))
        for table, rows in TABLES.items():
            placeholders = ", ".join("?" for _ in rows[0])
            connection.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)  # noqa: S608 (fixed names)
        connection.commit()
    finally:
        connection.close()


def ensure_demo_shop(data_dir: Path) -> str:
    """The demo shop's URL, creating the database on first use (later runs keep its state)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = (data_dir / SHOP_FILE).resolve()
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        create_shop(partial)
        partial.rename(path)
    return f"sqlite:///{path}"
