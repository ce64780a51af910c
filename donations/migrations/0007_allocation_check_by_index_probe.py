"""PostgreSQL: the statement trigger that keeps a gift's allocations within its cash locks
and sums the touched gifts with one index probe each (LATERAL), instead of an IN over the
transition table: that plan depended on table statistics, and with statistics taken while
the table was empty a 100,000-gift backfill ran for over half an hour. Same rule, same
messages; SQLite is unchanged.
"""

from django.db import migrations

NEW = r"""
CREATE OR REPLACE FUNCTION donations_alloc_inserted() RETURNS trigger AS $$
DECLARE bad record;
BEGIN
  PERFORM 1 FROM donations_donation d JOIN (SELECT DISTINCT donation_id FROM new_rows) n ON d.id = n.donation_id
    ORDER BY d.id FOR NO KEY UPDATE OF d;
  -- One index probe per gift (partial index on standing rows): the plan does not depend
  -- on table statistics, which a bulk load leaves stale.
  SELECT d.id, s.used,
         CASE WHEN d.reverses_id IS NULL AND d.reversed_at IS NULL THEN d.cash_vnd ELSE 0 END AS holds INTO bad
    FROM (SELECT DISTINCT donation_id FROM new_rows) n
    JOIN donations_donation d ON d.id = n.donation_id
    CROSS JOIN LATERAL (SELECT COALESCE(SUM(a.amount_vnd), 0) AS used FROM donations_cashallocation a
                        WHERE a.donation_id = n.donation_id AND a.superseded_at IS NULL) s
   WHERE s.used > CASE WHEN d.reverses_id IS NULL AND d.reversed_at IS NULL THEN d.cash_vnd ELSE 0 END
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'donation %: % VND allocated, more than its % VND', bad.id, bad.used, bad.holds
      USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_donation';
  END IF;
  INSERT INTO donations_alloc_pending (ref) SELECT DISTINCT procurement_id FROM new_rows ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

OLD = r"""
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
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NEW, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD, params=None)


class Migration(migrations.Migration):
    dependencies = [("donations", "0006_allocation_rules_and_codes")]
    operations = [migrations.RunPython(forward, backward)]
