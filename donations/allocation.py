"""Cash to purchases, first received, first spent — set-based SQL on PostgreSQL and SQLite.

The rule is a pure function of the programme's effective cash gifts, ordered by
(received_on, id), and its standing purchases, ordered by id (the order they were
recorded): lay the gifts end to end on one line of đồng, lay the purchases end to end on
another, and each overlap of a gift's stretch with a purchase's stretch is one
allocation. `reallocate` computes that target in one query (window functions over the
merged end points: no query per gift or per purchase), supersedes the standing rows that
differ from it and inserts the missing ones — so it is what a purchase, a reversal and the
backfill all call, and running it twice changes nothing.

Whole phones: phone k (1..q) of a purchase of amount A is counted for the gift whose money
pays its last đồng, the point k·A/q; a slice [lo, hi) of the purchase therefore counts
floor(hi·q/A) − floor(lo·q/A) phones, and the counts of a purchase add up to q.
"""

from django.db import connection
from django.utils import timezone

# Each CTE in words: d = gifts with the running end of their stretch; p = purchases
# likewise; ev = every end point; g = for each end point, the next gift end and the next
# purchase end at or after it (a running COUNT in descending order numbers the groups);
# s = each (gift, purchase) pair's overlap, from the segments between end points.
_TARGET = """
d AS (
  SELECT id, CAST(SUM(cash_vnd) OVER (ORDER BY received_on, id ROWS UNBOUNDED PRECEDING) AS BIGINT) AS de
  FROM donations_donation
  WHERE programme_id = %(programme)s AND reverses_id IS NULL AND reversed_at IS NULL AND cash_vnd > 0
),
p AS (
  SELECT id, quantity AS q, unit_price_vnd * quantity AS amt,
         CAST(SUM(unit_price_vnd * quantity) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING) AS BIGINT) AS pe
  FROM donations_procurement
  WHERE programme_id = %(programme)s AND reversed_at IS NULL
),
lim AS (SELECT MIN(x) AS cap FROM (SELECT COALESCE(MAX(de), 0) AS x FROM d UNION ALL
                                   SELECT COALESCE(MAX(pe), 0) FROM p) m),
ev AS (
  SELECT de AS pos, id AS did, CAST(NULL AS BIGINT) AS pid FROM d
  UNION ALL SELECT pe, CAST(NULL AS BIGINT), id FROM p
),
g AS (
  SELECT pos, did, pid,
    COUNT(did) OVER (ORDER BY pos DESC, CASE WHEN did IS NULL THEN 1 ELSE 0 END ROWS UNBOUNDED PRECEDING) AS gd,
    COUNT(pid) OVER (ORDER BY pos DESC, CASE WHEN pid IS NULL THEN 1 ELSE 0 END ROWS UNBOUNDED PRECEDING) AS gp,
    COALESCE(LAG(pos) OVER (ORDER BY pos, did, pid), 0) AS prev
  FROM ev
),
h AS (
  SELECT pos, prev, MAX(did) OVER (PARTITION BY gd) AS d_id, MAX(pid) OVER (PARTITION BY gp) AS p_id FROM g
),
s AS (
  SELECT d_id, p_id, MIN(prev) AS lo, MAX(pos) AS hi FROM h
  WHERE pos > prev AND pos <= (SELECT cap FROM lim) AND d_id IS NOT NULL AND p_id IS NOT NULL
  GROUP BY d_id, p_id
),
t AS (
  SELECT s.d_id, s.p_id, s.hi - s.lo AS amount, s.lo - (p.pe - p.amt) AS off,
         ((s.hi - (p.pe - p.amt)) * p.q) / p.amt - ((s.lo - (p.pe - p.amt)) * p.q) / p.amt AS phones
  FROM s JOIN p ON p.id = s.p_id
)
"""

_SAME = ("a.donation_id = t.d_id AND a.procurement_id = t.p_id AND a.amount_vnd = t.amount "
         "AND a.offset_vnd = t.off AND a.phones = t.phones")

_SUPERSEDE = f"""
UPDATE donations_cashallocation SET superseded_at = %(now)s
WHERE id IN (
  WITH {_TARGET}
  SELECT a.id FROM donations_cashallocation a LEFT JOIN t ON {_SAME}
  WHERE a.programme_id = %(programme)s AND a.superseded_at IS NULL AND t.d_id IS NULL
)
"""  # noqa: S608 - built from constants; every value is a parameter

_INSERT = f"""
INSERT INTO donations_cashallocation
  (programme_id, donation_id, procurement_id, amount_vnd, offset_vnd, phones, created_at, superseded_at)
WITH {_TARGET}
SELECT %(programme)s, t.d_id, t.p_id, t.amount, t.off, t.phones, %(now)s, NULL
FROM t LEFT JOIN donations_cashallocation a
  ON a.programme_id = %(programme)s AND a.superseded_at IS NULL AND {_SAME}
WHERE a.id IS NULL
ORDER BY t.p_id, t.off
"""  # noqa: S608 - built from constants; every value is a parameter


def reallocate(programme_id: int) -> tuple[int, int]:
    """Bring the programme's standing allocations to the rule; (superseded, inserted).

    The caller holds the programme lock (services._lock_programme) and has checked that
    the cash received covers the purchases; otherwise the last purchase stays short and
    the database refuses the commit (PostgreSQL) or `fund_drift` reports it.
    """
    params = {"programme": programme_id, "now": timezone.now()}
    with connection.cursor() as cursor:
        cursor.execute(_SUPERSEDE, params)
        superseded = cursor.rowcount
        cursor.execute(_INSERT, params)
        inserted = cursor.rowcount
    return superseded, inserted
