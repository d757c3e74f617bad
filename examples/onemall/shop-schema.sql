-- The onemall shop database that examples/onemall/systems.yaml (system `shop-db`) describes.
-- Seed: 003 INAGORA (onemall) Privacy & Cookies Policy (seeds/003_78b12de4f3220711.txt)
-- assumption: the seed describes no database; this is the layout the demo creates. Plain SQL
-- that SQLite, PostgreSQL and MySQL all accept (ids are given explicitly on insert).
-- Not part of the map: `mamori check` reads only *.yaml files.

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email VARCHAR(254) NOT NULL UNIQUE,
    first_name VARCHAR(100),
    last_name VARCHAR(100),
    phone VARCHAR(40),
    password_hash VARCHAR(200),
    preferred_language VARCHAR(10) NOT NULL DEFAULT 'ja',
    status VARCHAR(20) NOT NULL DEFAULT 'active',   -- active | closed
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);

CREATE TABLE social_accounts (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    provider VARCHAR(20) NOT NULL,                   -- facebook | tiktok | google
    provider_user_id VARCHAR(100),
    profile_url VARCHAR(500),
    photo_url VARCHAR(500),
    linked_at TIMESTAMP NOT NULL
);

CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    kind VARCHAR(20) NOT NULL,                       -- residential | billing
    full_name VARCHAR(200),
    postal_code VARCHAR(20),
    region VARCHAR(100),                             -- state / province / prefecture
    city VARCHAR(100),
    line1 VARCHAR(200),
    line2 VARCHAR(200),
    country CHAR(2) NOT NULL,
    phone VARCHAR(40)
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    ordered_at TIMESTAMP NOT NULL,
    status VARCHAR(20) NOT NULL,                     -- placed | paid | shipped | delivered | cancelled
    total_amount NUMERIC(12, 2) NOT NULL,
    currency CHAR(3) NOT NULL,
    shipping_name VARCHAR(200),
    shipping_address VARCHAR(500),
    shipping_phone VARCHAR(40),
    billing_name VARCHAR(200),
    billing_address VARCHAR(500),
    ip_address VARCHAR(45)
);

CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    product_sku VARCHAR(64) NOT NULL,
    product_name VARCHAR(200) NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price NUMERIC(12, 2) NOT NULL
);

-- A payment belongs to its payer, who may differ from the order's customer.
CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    provider VARCHAR(20) NOT NULL,                   -- stripe | paypal | braintree
    provider_reference VARCHAR(100),
    amount NUMERIC(12, 2) NOT NULL,
    currency CHAR(3) NOT NULL,
    card_brand VARCHAR(20),
    card_last4 CHAR(4),
    status VARCHAR(20) NOT NULL,                     -- succeeded | refunded | failed
    paid_at TIMESTAMP
);

CREATE TABLE inquiries (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),   -- NULL for visitors who are not members
    name VARCHAR(200),
    email VARCHAR(254),
    subject VARCHAR(200),
    body TEXT,
    reply TEXT,
    status VARCHAR(20) NOT NULL,                     -- open | resolved
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);

CREATE TABLE newsletter_subscriptions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    email VARCHAR(254) NOT NULL,
    source VARCHAR(40) NOT NULL,                     -- registration | footer | checkout
    subscribed_at TIMESTAMP NOT NULL,
    unsubscribed_at TIMESTAMP
);

CREATE TABLE login_sessions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    ip_address VARCHAR(45),
    user_agent VARCHAR(500),
    geo_country CHAR(2),
    geo_city VARCHAR(100),
    started_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);

CREATE TABLE usage_events (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id),
    device_id VARCHAR(64),
    page_url VARCHAR(500) NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    duration_ms INTEGER
);
