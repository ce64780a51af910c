"""PostgreSQL only: the Luhn check of an IMEI as a CHECK constraint, and a trigger that
refuses UPDATE/DELETE on the device ledger. SQLite keeps the portable constraints from
0001 and the model-level guards."""

from django.db import migrations

def _luhn_sum() -> str:
    """The Luhn sum of the 15 digits written out: no subquery, so a CHECK costs microseconds."""
    terms = []
    for pos in range(1, 16):
        digit = f"substr(imei, {pos}, 1)::int"
        # Counting from the right, every second digit is doubled: positions 2, 4, ... 14 here.
        terms.append(f"(({digit} * 2) / 10 + ({digit} * 2) % 10)" if pos % 2 == 0 else digit)
    return " + ".join(terms)


FORWARD = r"""
CREATE OR REPLACE FUNCTION distribution_imei_luhn_ok(imei text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT imei ~ '^[0-9]{15}$' AND (LUHN_SUM) % 10 = 0
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
        schema_editor.execute(FORWARD.replace("LUHN_SUM", _luhn_sum()), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("distribution", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
