"""Imports every mail of a folder with `deskapp ticket import` in this one process, under a
memory and CPU budget set with resource.setrlimit: RLIMIT_AS for the whole process, and for
each mail RLIMIT_CPU at what was used so far plus the per-mail budget (going over kills the
process with SIGXCPU, which the test sees). Prints one JSON line per mail: its file name, the
exit status, what was printed on stdout and stderr.

Usage: python tests/mail_budget_worker.py DATABASE_URL FOLDER MEMORY_BYTES CPU_SECONDS
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import resource
import sys
from pathlib import Path


def main() -> None:
    url, folder, memory, seconds = (
        sys.argv[1],
        Path(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
    )
    from deskapp.cli import main as deskapp

    # Everything an import loads is loaded before the budget starts: a mail nobody sent.
    warm_up = folder.parent / "warm-up.eml"
    warm_up.write_bytes(b"From: warm-up@nowhere.invalid\r\nSubject: hi\r\n\r\nhi\r\n")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        deskapp(["ticket", "import", str(warm_up), "--db", url])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    for path in sorted(folder.iterdir()):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = math.ceil(usage.ru_utime + usage.ru_stime)
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        resource.setrlimit(resource.RLIMIT_CPU, (used + seconds, hard))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = deskapp(["ticket", "import", str(path), "--db", url])
        line = {"mail": path.name, "status": status, "out": out.getvalue(), "err": err.getvalue()}
        print(json.dumps(line), flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_kb": peak}), flush=True)


if __name__ == "__main__":
    main()
