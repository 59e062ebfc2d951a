"""Faults injected during a bench/loadtest.py run (--fault), what the users saw, and the
check afterwards that nothing was lost.

    kill-web          SIGKILL one gunicorn worker (the busiest guess: a random one) every
                      10 s, from 5 s in; gunicorn's master starts a new one.
    restart-postgres  stop the local PostgreSQL 15 cluster a third of the way in ("fast":
                      open connections are cut), keep it down --outage seconds, start it.
    disk-full         SQLite: the database file is moved to a small tmpfs of its own (needs
                      root, for mount) for the run; a third of the way in a file fills the
                      rest of it, and is deleted --outage seconds later.

In a fault run the users send a POST that got no answer or a 5xx again a second later, with
the same form and idempotency key (a person pressing the button again in the same dialog),
until it is answered. Afterwards: every adjustment key is in the ledger exactly once, every
finalized draft has a number, invoice numbers are gap-free per customer, and
verify_ledger (printed by loadtest.py) is clean.
"""

import contextlib
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

PG_CLUSTER = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main"]
KILL_EVERY = 10
# Room left on the small disk beside the database, for the WAL and the run's writes.
SPARE_BYTES = 48 * 2**20


def children(pid):
    """The process IDs whose parent is `pid` (gunicorn's workers, from its master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


class Faults(threading.Thread):
    """Injects the fault while the users run; `events` holds (seconds into the run, what)."""

    def __init__(self, kind, web_pid, seconds, outage, disk=None):
        super().__init__(daemon=True)
        self.kind, self.web_pid, self.seconds, self.outage = kind, web_pid, seconds, outage
        self.disk = disk
        self.started = time.monotonic()
        self.events = []
        self.stopped = threading.Event()

    def note(self, what):
        self.events.append((time.monotonic() - self.started, what))

    def run(self):
        if self.kind == "kill-web":
            rng = random.Random(14)
            self.stopped.wait(5)
            while not self.stopped.is_set():
                pid = rng.choice(children(self.web_pid))
                os.kill(pid, signal.SIGKILL)
                self.note(f"SIGKILL gunicorn worker {pid}")
                self.stopped.wait(KILL_EVERY)
        elif self.kind == "disk-full":
            self.stopped.wait(self.seconds / 3)
            filler = self.disk / "filler"
            with filler.open("wb") as file, contextlib.suppress(OSError):  # ENOSPC: full
                while True:
                    file.write(bytes(2**20))
            self.note(f"disk full ({filler.stat().st_size // 2**20} MB filler)")
            time.sleep(self.outage)
            filler.unlink()
            self.note("filler deleted")
        else:
            self.stopped.wait(self.seconds / 3)
            subprocess.run([*PG_CLUSTER, "stop", "-m", "fast"], check=True)
            self.note("PostgreSQL stopped")
            time.sleep(self.outage)
            self.note("PostgreSQL starting")
            subprocess.run([*PG_CLUSTER, "start"], check=True)
            self.note("PostgreSQL started (pg_ctlcluster returned)")

    def stop(self):
        self.stopped.set()
        self.join()


@contextlib.contextmanager
def small_disk(database, mountpoint):
    """Moves the SQLite file `database` onto a tmpfs sized to it plus SPARE_BYTES for the
    block; yields its path there, and moves it back afterwards."""
    mountpoint.mkdir(exist_ok=True)
    size = database.stat().st_size + SPARE_BYTES
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mountpoint], check=True)
    try:
        moved = Path(shutil.move(database, mountpoint / database.name))
        try:
            yield moved
        finally:
            shutil.move(moved, database)
            for suffix in ("-wal", "-shm"):  # the last connection closed: none left
                Path(f"{moved}{suffix}").unlink(missing_ok=True)
    finally:
        subprocess.run(["umount", mountpoint], check=True)


def report(faults, timeline):
    """What the users saw: each fault, the answers other than 2xx/3xx in the seconds after
    it, and when the first good answer came back."""
    print("\nfaults (seconds into the run):")
    timeline = sorted(timeline)
    for at, what in faults.events:
        print(f"  {at:6.1f} s  {what}")
    failed = [(at, answer) for at, _, answer in timeline if not _good(answer)]
    print(f"answers other than 2xx/3xx: {len(failed)} of {len(timeline)}")
    for answer, count in Counter(answer for _, answer in failed).most_common():
        print(f"  {count} × {answer}")
    if failed:
        print(f"  first at {failed[0][0]:.1f} s, last at {failed[-1][0]:.1f} s")
        back = next(
            (at for at, _, answer in timeline if at > failed[-1][0] and _good(answer)), None
        )
        if back is not None:
            print(f"  first good answer after the last failure: {back - failed[-1][0]:.2f} s later")


def _good(answer):
    return isinstance(answer, int) and answer < 400


def audit(sent):
    """Nothing lost, nothing twice: `sent` maps each adjustment key and each draft the
    users posted to the last answer they got."""
    from billing.models import Invoice, InvoiceStatus
    from ledger.models import BalanceTransaction

    keys = {key: answer for key, answer in sent["adjust"].items() if key}
    posted = Counter(
        BalanceTransaction.objects.filter(idempotency_key__in=list(keys)).values_list(
            "idempotency_key", flat=True
        )
    )
    unanswered = [key for key, answer in keys.items() if answer != 204]
    twice = [key for key, count in posted.items() if count > 1]
    lost = [key for key, answer in keys.items() if answer == 204 and not posted[key]]
    print(f"\nadjustments: {len(keys)} keys sent, {sum(posted.values())} in the ledger; "
          f"{len(lost)} answered but missing, {len(twice)} posted twice, "
          f"{len(unanswered)} never answered 204")  # fmt: skip

    drafts = Invoice.objects.filter(public_id__in=list(sent["finalize"]))
    finalized = drafts.exclude(status=InvoiceStatus.DRAFT)
    unnumbered = finalized.filter(number__isnull=True).count()
    gaps = []
    for customer_id in set(drafts.values_list("customer_id", flat=True)):
        numbered = Invoice.objects.filter(customer_id=customer_id, number__isnull=False)
        sequences = sorted(
            int(n.rsplit("-", 1)[1]) for n in numbered.values_list("number", flat=True)
        )
        if sequences != list(range(1, len(sequences) + 1)):
            gaps.append(customer_id)
    print(f"finalizations: {len(sent['finalize'])} drafts posted, {finalized.count()} "
          f"finalized, {unnumbered} without a number, {len(gaps)} customers with gaps")  # fmt: skip
    return not (lost or twice or unnumbered or gaps)
