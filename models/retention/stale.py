"""A trigger on orders that marks an order whose retention anchors change (retention_stale).

Every writer of orders.completed_at or orders.billed_on, whatever its path (the domain
functions, set-wise imports, billing acknowledgement, a script), leaves the order marked in
the same transaction; retention_due writes the order's rows and removes the mark. So
`retention_due.sync()` costs what changed, not a scan of every completed order.
"""

from __future__ import annotations

from models.core.db import database, is_postgres

_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS orders_retention_stale_insert AFTER INSERT ON orders "
    "WHEN NEW.completed_at IS NOT NULL "
    "BEGIN INSERT OR IGNORE INTO retention_stale (order_id) VALUES (NEW.id); END",
    "CREATE TRIGGER IF NOT EXISTS orders_retention_stale_update AFTER UPDATE OF completed_at, billed_on ON orders "
    "WHEN NEW.completed_at IS NOT NULL AND "
    "(NEW.completed_at IS NOT OLD.completed_at OR NEW.billed_on IS NOT OLD.billed_on) "
    "BEGIN INSERT OR IGNORE INTO retention_stale (order_id) VALUES (NEW.id); END",
)

_PG = (
    """
CREATE OR REPLACE FUNCTION retention_stale_mark() RETURNS trigger AS $$
BEGIN
    IF NEW.completed_at IS NOT NULL AND (TG_OP = 'INSERT'
        OR NEW.completed_at IS DISTINCT FROM OLD.completed_at OR NEW.billed_on IS DISTINCT FROM OLD.billed_on) THEN
        INSERT INTO retention_stale (order_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql
""",
    "DROP TRIGGER IF EXISTS orders_retention_stale ON orders",
    "CREATE TRIGGER orders_retention_stale AFTER INSERT OR UPDATE OF completed_at, billed_on ON orders "
    "FOR EACH ROW EXECUTE FUNCTION retention_stale_mark()",
)


def install() -> None:
    """Create the trigger (idempotent); inside the caller's schema transaction."""
    for statement in _PG if is_postgres() else _SQLITE:
        database.execute_sql(statement)
