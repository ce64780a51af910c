"""Start calls at the same moment in threads, each on its own database connection
(PostgreSQL row-lock tests)."""

import threading

from django.db import connection


def run_together(*calls) -> list:
    """Each call's result, or the exception it raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - the test inspects it
            results[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results
