"""`make bench` works from a fresh checkout: a tiny run of the same command, in a subprocess
with a database of its own (SQLite in a temporary folder, or bench_<name> on PostgreSQL).

The figures themselves are not asserted (timings belong to the benchmark, not to tests);
what is asserted is what must hold at any size: the summary line, every key page measured
(the catalog's and the walkaround's too, the manager's board, compliance over 90 days and the
checklists), no page above 10 queries, no reminder sent twice or left unsent."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {"max_queries_per_page", "p95_ms", "floor_p50_ms", "dispatch_per_s", "duplicates", "unsent"}


def test_a_small_bench_run_prints_its_summary_and_keeps_the_budgets(tmp_path):
    result = subprocess.run(  # noqa: S603 — our own manage.py with fixed arguments
        [
            sys.executable, "manage.py", "bench",
            "--customers", "300", "--visits", "900", "--reminders", "900", "--long-timeline", "120",
            "--requests", "3", "--dispatch", "250",
        ],
        cwd=ROOT,
        env={**os.environ, "VAR_DIR": str(tmp_path), "CELERY_BROKER_DIR": str(tmp_path / "broker")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert REQUIRED <= summary.keys()
    assert set(summary["p95_ms"]) == {
        "customer list + search",
        "customer page, long timeline",
        "visitor register today",
        "My day",
        "My day (manager)",
        "replacement opportunities",
        "new-visit form",
        "prospecting plan",
        "mobile look-up",
        "walkaround page",
        "stock look-up",
        "catalog",
        "model detail",
        "booking calendar",
        "floor board",
        "floor board poll",
        "compliance, 90 days",
        "checklist day",
        "checklist history, 90 days",
    }
    assert summary["max_queries_per_page"] <= 10, summary["queries"]
    assert summary["duplicates"] == 0 and summary["unsent"] == 0
    assert summary["dispatch_per_s"] > 0
    assert any(line.startswith("Seeded in") for line in lines)
    assert not (tmp_path / "bench.sqlite3").exists()  # the throw-away database is dropped
