-- Fills the benchmark store in SQL alone (generate_series; no row passes through Python).
-- {customers} customers; {orders} orders ({orders_per} per customer, spread over the table the
-- way a real order history is); 2 items and 1 payment per order, 2% of payments made by another
-- customer than the order's (gifts); customer 1 is the "heavy" subject with {heavy} usage events.
-- owner(o) = 1 + (o * 2654435761) % customers is a bijection on each block of `customers` orders.
SET maintenance_work_mem = '1GB';

INSERT INTO customers
SELECT i, 'customer' || i || '@store.example',
       (ARRAY['Haruto','Yui','Sota','Hina','Ren','Aoi','Minato','Mei','Emma','Liam'])[1 + i % 10],
       (ARRAY['Sato','Suzuki','Takahashi','Tanaka','Watanabe','Ito','Yamamoto','Nakamura','Smith','Jones'])[1 + (i / 10) % 10],
       '+8190' || lpad(((i * 7919) % 100000000)::text, 8, '0'),
       md5('password' || i),
       CASE WHEN i % 3 = 0 THEN 'en' ELSE 'ja' END,
       CASE WHEN i % 50 = 0 THEN 'closed' ELSE 'active' END,
       timestamp '2019-01-01' + (i % 1800) * interval '1 day',
       CASE WHEN i % 50 = 0 THEN timestamp '2024-06-01' END
FROM generate_series(1::bigint, {customers}) AS i;

INSERT INTO social_accounts
SELECT i, 1 + (i * 104729) % {customers},
       (ARRAY['facebook','tiktok','google'])[1 + i % 3], 'uid-' || md5(i::text),
       'https://social.example/u/' || i, 'https://social.example/p/' || i || '.jpg',
       timestamp '2021-01-01' + (i % 900) * interval '1 day'
FROM generate_series(1::bigint, {social}) AS i;

INSERT INTO addresses
SELECT i, 1 + (i * 7919) % {customers}, CASE WHEN i % 3 = 0 THEN 'billing' ELSE 'residential' END,
       'Name ' || i, lpad((i % 10000000)::text, 7, '0'), 'Tokyo', 'Minato-ku',
       (i % 5) + 1 || '-' || (i % 20) + 1 || '-' || (i % 9) + 1 || ' Shiba', 'Room ' || (i % 900) + 100,
       'JP', '+8180' || lpad((i % 100000000)::text, 8, '0')
FROM generate_series(1::bigint, {addresses}) AS i;

INSERT INTO orders
SELECT o, 1 + (o * 2654435761) % {customers},
       timestamp '2020-01-01' + (o % 1700) * interval '1 day' + (o % 86400) * interval '1 second',
       (ARRAY['placed','paid','shipped','delivered','cancelled'])[1 + o % 5],
       (o % 50000) / 10.0 + 100, 'JPY',
       'Ship Name ' || o, '1-2-3 Shibuya, Shibuya-ku, Tokyo ' || lpad((o % 10000000)::text, 7, '0'),
       '+8170' || lpad((o % 100000000)::text, 8, '0'),
       'Bill Name ' || o, '4-5-6 Minato, Minato-ku, Tokyo ' || lpad((o % 10000000)::text, 7, '0'),
       '10.' || (o % 256) || '.' || ((o / 256) % 256) || '.' || ((o / 65536) % 256)
FROM generate_series(1::bigint, {orders}) AS o;

INSERT INTO order_items
SELECT i, 1 + (i - 1) / 2, 'SKU-' || (i % 5000), 'Product ' || (i % 5000), 1 + i % 3, (i % 9000) + 100
FROM generate_series(1::bigint, {orders} * 2) AS i;

INSERT INTO payments
SELECT o, o,
       CASE WHEN o % 50 = 0 THEN 1 + ((o + 1) * 2654435761) % {customers} ELSE 1 + (o * 2654435761) % {customers} END,
       (ARRAY['stripe','paypal','braintree'])[1 + o % 3], 'pi_' || md5('pay' || o),
       (o % 50000) / 10.0 + 100, 'JPY', (ARRAY['visa','mastercard','jcb','amex'])[1 + o % 4],
       lpad((o % 10000)::text, 4, '0'), 'succeeded',
       timestamp '2020-01-01' + (o % 1700) * interval '1 day'
FROM generate_series(1::bigint, {orders}) AS o;

INSERT INTO inquiries
SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + (i * 15485863) % {customers} END,
       'Inquirer ' || i, 'inquirer' || i || '@mail.example', 'About my order ' || i,
       'Hello, I have a question about order ' || i || '. Could you tell me when it ships?',
       CASE WHEN i % 2 = 0 THEN 'Thank you for asking; it ships tomorrow.' END,
       CASE WHEN i % 2 = 0 THEN 'resolved' ELSE 'open' END,
       timestamp '2022-01-01' + (i % 700) * interval '1 day',
       CASE WHEN i % 2 = 0 THEN timestamp '2022-01-03' + (i % 700) * interval '1 day' END
FROM generate_series(1::bigint, {inquiries}) AS i;

INSERT INTO newsletter_subscriptions
SELECT i, CASE WHEN i % 4 = 0 THEN NULL ELSE 1 + (i * 32452843) % {customers} END,
       CASE WHEN i % 4 = 0 THEN 'visitor' || i || '@mail.example'
            ELSE 'customer' || 1 + (i * 32452843) % {customers} || '@store.example' END,
       (ARRAY['registration','footer','checkout'])[1 + i % 3],
       timestamp '2021-01-01' + (i % 1000) * interval '1 day',
       CASE WHEN i % 7 = 0 THEN timestamp '2024-01-01' END
FROM generate_series(1::bigint, {subscriptions}) AS i;

INSERT INTO login_sessions
SELECT i, 1 + (i * 15485863) % {customers}, '192.0.2.' || (i % 250),
       'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/' || (100 + i % 30) || '.0',
       'JP', (ARRAY['Tokyo','Osaka','Nagoya','Fukuoka','Sapporo'])[1 + i % 5],
       timestamp '2023-01-01' + (i % 500) * interval '1 day',
       timestamp '2023-01-01' + (i % 500) * interval '1 day' + interval '25 minutes'
FROM generate_series(1::bigint, {sessions}) AS i;

-- The heavy subject's events first, then everyone's (a tenth of them anonymous visitors).
INSERT INTO usage_events
SELECT i, 1, 'device-1-' || (i % 4), '/products/' || (i % 5000) || '?ref=home',
       timestamp '2023-01-01' + i * interval '7 seconds', (i % 60000)
FROM generate_series(1::bigint, {heavy}) AS i;
INSERT INTO usage_events
SELECT {heavy} + i, CASE WHEN i % 10 = 0 THEN NULL ELSE 2 + (i * 49979687) % ({customers} - 1) END,
       'device-' || md5(i::text), '/products/' || (i % 5000), timestamp '2023-01-01' + i * interval '13 seconds',
       (i % 60000)
FROM generate_series(1::bigint, {events}) AS i;
-- The growth curve's subjects: the last customers get 1,000, 10,000, 100,000 and 1,000,000 events
-- with the highest ids of the table (a subject whose rows sit at the end of the id range).
INSERT INTO usage_events
SELECT {heavy} + {events} + row_number() OVER (ORDER BY g.customer, i), g.customer, 'device-tail',
       '/products/' || (i % 5000), timestamp '2024-01-01' + i * interval '3 seconds', (i % 60000)
FROM (VALUES ({customers} - 3, 1000), ({customers} - 2, 10000), ({customers} - 1, 100000),
             ({customers}, {heavy})) AS g (customer, events),
     generate_series(1::bigint, g.events) AS i;

ALTER TABLE customers ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX customers_email ON customers (email);
CREATE INDEX customers_phone ON customers (phone);
ALTER TABLE social_accounts ADD PRIMARY KEY (id);
ALTER TABLE addresses ADD PRIMARY KEY (id);
ALTER TABLE orders ADD PRIMARY KEY (id);
ALTER TABLE order_items ADD PRIMARY KEY (id);
ALTER TABLE payments ADD PRIMARY KEY (id);
ALTER TABLE inquiries ADD PRIMARY KEY (id);
ALTER TABLE newsletter_subscriptions ADD PRIMARY KEY (id);
ALTER TABLE login_sessions ADD PRIMARY KEY (id);
ALTER TABLE usage_events ADD PRIMARY KEY (id);
CREATE INDEX social_accounts_customer ON social_accounts (customer_id);
CREATE INDEX addresses_customer ON addresses (customer_id);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX order_items_order ON order_items (order_id);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_customer ON payments (customer_id);
CREATE INDEX inquiries_customer ON inquiries (customer_id);
CREATE INDEX newsletter_subscriptions_customer ON newsletter_subscriptions (customer_id);
CREATE INDEX login_sessions_customer ON login_sessions (customer_id);
CREATE INDEX usage_events_customer ON usage_events (customer_id);
ALTER TABLE social_accounts ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE addresses ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE order_items ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE payments ADD FOREIGN KEY (order_id) REFERENCES orders (id);
ALTER TABLE payments ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE inquiries ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE newsletter_subscriptions ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE login_sessions ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE usage_events ADD FOREIGN KEY (customer_id) REFERENCES customers (id);
