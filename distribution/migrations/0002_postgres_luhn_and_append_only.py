"""PostgreSQL only: the Luhn check of an IMEI as a CHECK constraint, and a trigger that
refuses UPDATE/DELETE on the device ledger. SQLite keeps the portable constraints from
0001 and the model-level guards."""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION distribution_imei_luhn_ok(imei text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT imei ~ '^[0-9]{15}$' AND (
    SELECT sum(CASE WHEN i % 2 = 0 THEN ((d * 2) / 10) + ((d * 2) % 10) ELSE d END) % 10 = 0
    FROM (SELECT i, substr(imei, 16 - i, 1)::int AS d FROM generate_series(1, 15) AS i) AS digits)
$$;
ALTER TABLE distribution_device ADD CONSTRAINT device_imei_luhn CHECK (distribution_imei_luhn_ok(imei));

CREATE OR REPLACE FUNCTION distribution_movement_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'distribution_devicemovement is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER distribution_movement_append_only
  BEFORE UPDATE OR DELETE ON distribution_devicemovement
  FOR EACH ROW EXECUTE FUNCTION distribution_movement_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS distribution_movement_append_only ON distribution_devicemovement;
DROP FUNCTION IF EXISTS distribution_movement_append_only();
ALTER TABLE distribution_device DROP CONSTRAINT IF EXISTS device_imei_luhn;
DROP FUNCTION IF EXISTS distribution_imei_luhn_ok(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
