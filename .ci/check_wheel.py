"""Check a built wheel's metadata: the version the package sets, the project URLs, and the registry's mcp-name line.

python .ci/check_wheel.py dist/shipstation_mcp-*.whl
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    wheel = Path(sys.argv[1])
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(name).decode("utf-8"))
    entry = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    urls = dict(value.split(", ", 1) for value in metadata.get_all("Project-URL") or [])
    problems = []
    if metadata["Version"] != entry["version"]:
        problems.append(f"wheel version {metadata['Version']} != server.json {entry['version']}")
    if urls.get("Repository") != entry["repository"]["url"]:
        problems.append(f"Project-URL Repository {urls.get('Repository')!r} != {entry['repository']['url']!r}")
    if not re.search(rf"\bmcp-name: {re.escape(entry['name'])}(\s|$)", metadata.get_payload() or ""):
        problems.append(f"the description (README) lacks 'mcp-name: {entry['name']}'")
    if not metadata.get_all("Classifier"):
        problems.append("no classifiers")
    if problems:
        raise SystemExit(f"{wheel.name}: " + "; ".join(problems))
    print(f"{wheel.name}: version {metadata['Version']}, {len(urls)} project URLs, mcp-name {entry['name']}")


if __name__ == "__main__":
    main()
