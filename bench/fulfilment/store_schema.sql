-- The benchmark store: the onemall shop layout (examples/onemall/shop-schema.sql) at scale, on
-- PostgreSQL, with the indexes a real shop has on its foreign keys. Constraints and indexes are
-- added after the bulk load (generate.sql), as one does when loading a large database.
CREATE TABLE customers (
    id BIGINT NOT NULL,
    email VARCHAR(254) NOT NULL,
    first_name VARCHAR(100),
    last_name VARCHAR(100),
    phone VARCHAR(40),
    password_hash VARCHAR(200),
    preferred_language VARCHAR(10) NOT NULL DEFAULT 'ja',
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    created_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE TABLE social_accounts (
    id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    provider VARCHAR(20) NOT NULL,
    provider_user_id VARCHAR(100),
    profile_url VARCHAR(500),
    photo_url VARCHAR(500),
    linked_at TIMESTAMP NOT NULL
);
CREATE TABLE addresses (
    id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    kind VARCHAR(20) NOT NULL,
    full_name VARCHAR(200),
    postal_code VARCHAR(20),
    region VARCHAR(100),
    city VARCHAR(100),
    line1 VARCHAR(200),
    line2 VARCHAR(200),
    country CHAR(2) NOT NULL,
    phone VARCHAR(40)
);
CREATE TABLE orders (
    id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    ordered_at TIMESTAMP NOT NULL,
    status VARCHAR(20) NOT NULL,
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
    id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    product_sku VARCHAR(64) NOT NULL,
    product_name VARCHAR(200) NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price NUMERIC(12, 2) NOT NULL
);
-- A payment belongs to its payer, who may differ from the order's customer (a gift).
CREATE TABLE payments (
    id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    provider VARCHAR(20) NOT NULL,
    provider_reference VARCHAR(100),
    amount NUMERIC(12, 2) NOT NULL,
    currency CHAR(3) NOT NULL,
    card_brand VARCHAR(20),
    card_last4 CHAR(4),
    status VARCHAR(20) NOT NULL,
    paid_at TIMESTAMP
);
CREATE TABLE inquiries (
    id BIGINT NOT NULL,
    customer_id BIGINT,
    name VARCHAR(200),
    email VARCHAR(254),
    subject VARCHAR(200),
    body TEXT,
    reply TEXT,
    status VARCHAR(20) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
CREATE TABLE newsletter_subscriptions (
    id BIGINT NOT NULL,
    customer_id BIGINT,
    email VARCHAR(254) NOT NULL,
    source VARCHAR(40) NOT NULL,
    subscribed_at TIMESTAMP NOT NULL,
    unsubscribed_at TIMESTAMP
);
CREATE TABLE login_sessions (
    id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    ip_address VARCHAR(45),
    user_agent VARCHAR(500),
    geo_country CHAR(2),
    geo_city VARCHAR(100),
    started_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE TABLE usage_events (
    id BIGINT NOT NULL,
    customer_id BIGINT,
    device_id VARCHAR(64),
    page_url VARCHAR(500) NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    duration_ms INTEGER
);
