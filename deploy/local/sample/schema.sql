-- The sample database of a small payments company (`make demo`, tests/e2e).
-- Every table is captured by Debezium (pgoutput); schemas/shop/ declares them.
-- REPLICA IDENTITY stays DEFAULT everywhere: an update that leaves a TOASTed column
-- unchanged carries Debezium's unavailable-value placeholder, as in most real setups.

CREATE TYPE ticket_status AS ENUM ('open', 'pending', 'closed');

CREATE TABLE customers (
    id            bigserial PRIMARY KEY,
    first_name    text NOT NULL,
    last_name     text NOT NULL,
    email         text NOT NULL,
    phone         text,
    date_of_birth date,
    street        text,
    city          text,
    postcode      text,
    country       char(2) NOT NULL DEFAULT 'US',
    segment       text NOT NULL DEFAULT 'retail',
    profile       jsonb,                      -- nested personal data (contacts, devices)
    tags          text[] NOT NULL DEFAULT '{}',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id          bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    iban        text NOT NULL,
    currency    char(3) NOT NULL DEFAULT 'EUR',
    balance     numeric(12, 2) NOT NULL DEFAULT 0,
    opened_on   date NOT NULL DEFAULT current_date,
    closed      boolean NOT NULL DEFAULT false
);

CREATE TABLE payments (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    card_number text NOT NULL,
    amount      numeric(12, 2) NOT NULL,
    currency    char(3) NOT NULL DEFAULT 'EUR',
    merchant    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE support_tickets (
    id          bigserial PRIMARY KEY,
    customer_id bigint REFERENCES customers (id) ON DELETE SET NULL,
    subject     text NOT NULL,
    body        text NOT NULL,               -- free text: names, e-mails, phones
    status      ticket_status NOT NULL DEFAULT 'open',
    opened_at   timestamptz NOT NULL DEFAULT now()
);

-- The primary key is personal data: the CDR key must be treated, deterministically.
CREATE TABLE newsletter_subscribers (
    email         text PRIMARY KEY,
    first_name    text,
    topics        text[] NOT NULL DEFAULT '{}',
    subscribed_at timestamptz NOT NULL DEFAULT now()
);

-- No personal data at all.
CREATE TABLE fx_rates (
    id          serial PRIMARY KEY,
    pair        char(7) NOT NULL,
    rate        numeric(18, 8) NOT NULL,
    observed_at timestamptz NOT NULL DEFAULT now()
);
