"""bench/RESULTS.md, which the README links: one section per benchmark, each
replaced by that benchmark's latest full run."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADING = "# Latest `make bench` figures\n"


def write(section: str, lines: list[str]) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else HEADING
    if not text.startswith(HEADING):
        text = HEADING
    body = f"## {section}\n\n" + "\n".join(lines).strip() + "\n"
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: body + "\n", text) if pattern.search(text) else f"{text}\n{body}"
    RESULTS.write_text(text.rstrip() + "\n")
    print(f"\nWritten to bench/{RESULTS.name} ({section})")
