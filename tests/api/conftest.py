"""The schemathesis run's counts, printed at the end of the session whatever `-s` says."""

from __future__ import annotations

RESULTS: dict[str, dict] = {}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not RESULTS:
        return
    terminalreporter.section("schemathesis: responses per persona")
    for persona, counts in RESULTS.items():
        terminalreporter.write_line(
            f"{persona:10s} "
            + ", ".join(f"{key} {value}" for key, value in counts.items() if key != "persona")
        )
