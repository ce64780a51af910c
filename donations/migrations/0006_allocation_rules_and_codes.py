"""The database's guarantees on cash allocations, and look-up codes for existing gifts.

PostgreSQL: a statement-level trigger (transition table) checks, for every statement that
adds allocations, that no gift it touched holds more allocations than its cash (0 once
reversed): it first locks those gifts (FOR NO KEY UPDATE, in id order; no conflict with
the inserts' foreign-key locks) and then sums with a fresh snapshot, so two transactions
that bypass the service's programme lock still cannot both spend the same đồng — the
second waits for the first to commit and then sees its rows. Every purchase a statement
touched is queued (one row per purchase in donations_alloc_pending) for a DEFERRABLE
INITIALLY DEFERRED constraint trigger that checks at commit that its standing allocations
sum to its amount and its quantity (0 once reversed): once per purchase, not per row.
Row-level deferred triggers on donations and purchases check those whose cash, state or
amount changes.

SQLite has no deferred triggers: BEFORE INSERT triggers refuse any row that would make a
donation or a purchase exceed its amount, and updates of a donation or purchase that leave
more allocated than it holds. "Sums exactly" is checked by the service after each write and
by the nightly `fund_drift`.

Both: an allocation row only ever changes by being superseded once. Deleting is refused
by a PostgreSQL trigger (TRUNCATE, used by test flushes, fires no row trigger) and, on both
databases, by the model and its QuerySet; SQLite has no delete trigger because Django's
test flush deletes rows there.
"""

import secrets

from django.db import migrations

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION donations_alloc_check_donation(d_id bigint) RETURNS void AS $$
DECLARE cash bigint; used bigint;
BEGIN
  SELECT CASE WHEN reverses_id IS NULL AND reversed_at IS NULL THEN cash_vnd ELSE 0 END INTO cash
    FROM donations_donation WHERE id = d_id FOR NO KEY UPDATE;
  SELECT COALESCE(SUM(amount_vnd), 0) INTO used FROM donations_cashallocation
    WHERE donation_id = d_id AND superseded_at IS NULL;
  IF used > COALESCE(cash, 0) THEN
    RAISE EXCEPTION 'donation %: % VND allocated, more than its % VND', d_id, used, COALESCE(cash, 0)
      USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_donation';
  END IF;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION donations_alloc_check_procurement(p_id bigint) RETURNS void AS $$
DECLARE amt bigint; qty bigint; used bigint; n_phones bigint;
BEGIN
  SELECT CASE WHEN reversed_at IS NULL THEN unit_price_vnd * quantity ELSE 0 END,
         CASE WHEN reversed_at IS NULL THEN quantity ELSE 0 END INTO amt, qty
    FROM donations_procurement WHERE id = p_id FOR NO KEY UPDATE;
  SELECT COALESCE(SUM(amount_vnd), 0), COALESCE(SUM(phones), 0) INTO used, n_phones
    FROM donations_cashallocation WHERE procurement_id = p_id AND superseded_at IS NULL;
  IF used <> COALESCE(amt, 0) OR n_phones <> COALESCE(qty, 0) THEN
    RAISE EXCEPTION 'purchase %: % VND / % phones allocated, its amount is % VND / % phones',
      p_id, used, n_phones, COALESCE(amt, 0), COALESCE(qty, 0)
      USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_sums_to_purchase';
  END IF;
END $$ LANGUAGE plpgsql;

-- A statement that adds allocations: the gifts' "never exceed" is checked at once, for
-- the whole statement (lock the gifts in id order, then one aggregate with a fresh
-- snapshot); the purchases it touched are queued for the deferred "sums exactly" check.
CREATE OR REPLACE FUNCTION donations_alloc_inserted() RETURNS trigger AS $$
DECLARE bad record;
BEGIN
  PERFORM 1 FROM donations_donation WHERE id IN (SELECT donation_id FROM new_rows) ORDER BY id FOR NO KEY UPDATE;
  SELECT d.id, s.used,
         CASE WHEN d.reverses_id IS NULL AND d.reversed_at IS NULL THEN d.cash_vnd ELSE 0 END AS holds INTO bad
    FROM (SELECT a.donation_id, SUM(a.amount_vnd) AS used FROM donations_cashallocation a
          WHERE a.superseded_at IS NULL AND a.donation_id IN (SELECT donation_id FROM new_rows)
          GROUP BY a.donation_id) s
    JOIN donations_donation d ON d.id = s.donation_id
   WHERE s.used > CASE WHEN d.reverses_id IS NULL AND d.reversed_at IS NULL THEN d.cash_vnd ELSE 0 END
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'donation %: % VND allocated, more than its % VND', bad.id, bad.used, bad.holds
      USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_donation';
  END IF;
  INSERT INTO donations_alloc_pending (ref) SELECT DISTINCT procurement_id FROM new_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

-- Superseding only lowers a gift's sum; its purchases are queued for the deferred check.
CREATE OR REPLACE FUNCTION donations_alloc_updated() RETURNS trigger AS $$
BEGIN
  INSERT INTO donations_alloc_pending (ref) SELECT DISTINCT procurement_id FROM new_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

-- At commit, once per queued purchase (ON CONFLICT DO NOTHING keeps one event per purchase;
-- a check run early by SET CONSTRAINTS IMMEDIATE deletes its row, so a later change queues
-- the purchase again).
CREATE OR REPLACE FUNCTION donations_alloc_pending_checked() RETURNS trigger AS $$
BEGIN
  PERFORM donations_alloc_check_procurement(NEW.ref);
  DELETE FROM donations_alloc_pending WHERE ref = NEW.ref;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION donations_alloc_donation_checked() RETURNS trigger AS $$
BEGIN PERFORM donations_alloc_check_donation(NEW.id); RETURN NULL; END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION donations_alloc_procurement_checked() RETURNS trigger AS $$
BEGIN PERFORM donations_alloc_check_procurement(NEW.id); RETURN NULL; END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION donations_alloc_history_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'cash allocations are history: supersede them, never delete'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
     OR (NEW.donation_id, NEW.procurement_id, NEW.amount_vnd, NEW.offset_vnd, NEW.phones, NEW.programme_id)
        IS DISTINCT FROM (OLD.donation_id, OLD.procurement_id, OLD.amount_vnd, OLD.offset_vnd, OLD.phones,
                          OLD.programme_id) THEN
    RAISE EXCEPTION 'a cash allocation only changes by being superseded once'
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TABLE donations_alloc_pending (ref bigint PRIMARY KEY);

CREATE TRIGGER donations_alloc_history_only BEFORE UPDATE OR DELETE ON donations_cashallocation
  FOR EACH ROW EXECUTE FUNCTION donations_alloc_history_only();
CREATE TRIGGER donations_alloc_inserted AFTER INSERT ON donations_cashallocation
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION donations_alloc_inserted();
CREATE TRIGGER donations_alloc_updated AFTER UPDATE ON donations_cashallocation
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION donations_alloc_updated();
CREATE CONSTRAINT TRIGGER donations_alloc_pending_checked AFTER INSERT ON donations_alloc_pending
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION donations_alloc_pending_checked();
CREATE CONSTRAINT TRIGGER donations_alloc_donation_checked
  AFTER UPDATE OF cash_vnd, reversed_at, reverses_id ON donations_donation
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION donations_alloc_donation_checked();
CREATE CONSTRAINT TRIGGER donations_alloc_procurement_checked
  AFTER INSERT OR UPDATE OF unit_price_vnd, quantity, reversed_at ON donations_procurement
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION donations_alloc_procurement_checked();
"""

PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS donations_alloc_procurement_checked ON donations_procurement;
DROP TRIGGER IF EXISTS donations_alloc_donation_checked ON donations_donation;
DROP TRIGGER IF EXISTS donations_alloc_pending_checked ON donations_alloc_pending;
DROP TRIGGER IF EXISTS donations_alloc_updated ON donations_cashallocation;
DROP TRIGGER IF EXISTS donations_alloc_inserted ON donations_cashallocation;
DROP TRIGGER IF EXISTS donations_alloc_history_only ON donations_cashallocation;
DROP TABLE IF EXISTS donations_alloc_pending;
DROP FUNCTION IF EXISTS donations_alloc_history_only();
DROP FUNCTION IF EXISTS donations_alloc_procurement_checked();
DROP FUNCTION IF EXISTS donations_alloc_donation_checked();
DROP FUNCTION IF EXISTS donations_alloc_pending_checked();
DROP FUNCTION IF EXISTS donations_alloc_updated();
DROP FUNCTION IF EXISTS donations_alloc_inserted();
DROP FUNCTION IF EXISTS donations_alloc_check_procurement(bigint);
DROP FUNCTION IF EXISTS donations_alloc_check_donation(bigint);
"""

_D_USED = ("(SELECT COALESCE(SUM(amount_vnd), 0) FROM donations_cashallocation "
           "WHERE donation_id = {id} AND superseded_at IS NULL)")
_D_CASH = ("(SELECT CASE WHEN reverses_id IS NULL AND reversed_at IS NULL THEN cash_vnd ELSE 0 END "
           "FROM donations_donation WHERE id = {id})")
_P_USED = ("(SELECT COALESCE(SUM({col}), 0) FROM donations_cashallocation "
           "WHERE procurement_id = {id} AND superseded_at IS NULL)")
_P_HAS = ("(SELECT CASE WHEN reversed_at IS NULL THEN {expr} ELSE 0 END FROM donations_procurement "
          "WHERE id = {id})")

SQLITE_FORWARD = [
    f"""CREATE TRIGGER donations_alloc_within_donation BEFORE INSERT ON donations_cashallocation
    WHEN NEW.superseded_at IS NULL AND NEW.amount_vnd + {_D_USED.format(id="NEW.donation_id")}
         > {_D_CASH.format(id="NEW.donation_id")}
    BEGIN SELECT RAISE(ABORT, 'allocation_within_donation'); END""",
    f"""CREATE TRIGGER donations_alloc_within_procurement BEFORE INSERT ON donations_cashallocation
    WHEN NEW.superseded_at IS NULL AND (
         NEW.amount_vnd + {_P_USED.format(col="amount_vnd", id="NEW.procurement_id")}
           > {_P_HAS.format(expr="unit_price_vnd * quantity", id="NEW.procurement_id")}
      OR NEW.phones + {_P_USED.format(col="phones", id="NEW.procurement_id")}
           > {_P_HAS.format(expr="quantity", id="NEW.procurement_id")})
    BEGIN SELECT RAISE(ABORT, 'allocation_sums_to_purchase'); END""",
    """CREATE TRIGGER donations_alloc_history_only BEFORE UPDATE ON donations_cashallocation
    WHEN OLD.superseded_at IS NOT NULL OR NEW.superseded_at IS NULL
      OR NEW.donation_id <> OLD.donation_id OR NEW.procurement_id <> OLD.procurement_id
      OR NEW.amount_vnd <> OLD.amount_vnd OR NEW.offset_vnd <> OLD.offset_vnd OR NEW.phones <> OLD.phones
    BEGIN SELECT RAISE(ABORT, 'a cash allocation only changes by being superseded once'); END""",
    f"""CREATE TRIGGER donations_alloc_donation_update AFTER UPDATE OF cash_vnd, reversed_at, reverses_id
    ON donations_donation
    WHEN {_D_USED.format(id="NEW.id")} > {_D_CASH.format(id="NEW.id")}
    BEGIN SELECT RAISE(ABORT, 'allocation_within_donation'); END""",
    f"""CREATE TRIGGER donations_alloc_procurement_update AFTER UPDATE OF unit_price_vnd, quantity, reversed_at
    ON donations_procurement
    WHEN {_P_USED.format(col="amount_vnd", id="NEW.id")}
           > {_P_HAS.format(expr="unit_price_vnd * quantity", id="NEW.id")}
    BEGIN SELECT RAISE(ABORT, 'allocation_sums_to_purchase'); END""",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {name}" for name in (
    "donations_alloc_within_donation", "donations_alloc_within_procurement", "donations_alloc_history_only",
    "donations_alloc_donation_update", "donations_alloc_procurement_update")]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql, params=None)
    Donation = apps.get_model("donations", "Donation")
    for donation in Donation.objects.filter(public_code__isnull=True, reverses__isnull=True).only("pk"):
        donation.public_code = "".join(secrets.choice(ALPHABET) for _ in range(12))
        donation.save(update_fields=["public_code"])


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    # After 0005_amounts_bounded: on SQLite that migration rebuilds the donation table, which
    # fails once the triggers below refer to it.
    dependencies = [("donations", "0005_cash_allocation"), ("donations", "0005_amounts_bounded")]
    operations = [migrations.RunPython(forward, backward)]
