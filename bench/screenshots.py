"""Screenshots for a reviewer: the home page, Customers, a customer's page and an invoice's
in Chromium at 1280 × 800, and the first page of an invoice PDF in Arabic, from demo data
on a scratch database. Writes PNGs to bench/out/screenshots/ and prints their paths.

    python bench/screenshots.py
    CHROMIUM_PATH=/usr/bin/chromium python bench/screenshots.py

Needs Chromium (Playwright drives Debian's /usr/bin/chromium) and pdftoppm (poppler-utils)
for the PDF page.
"""

import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import OUT, setup_django  # noqa: E402

SHOTS = OUT / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}


def seed():
    """Demo logins, customers, balances and invoices; returns the objects to show."""
    from django.core.management import call_command

    logging.disable(logging.INFO)  # the money log's line per posting
    for command in ("seed_demo", "seed_demo_ledger", "seed_demo_billing"):
        call_command(command, verbosity=0)
    logging.disable(logging.NOTSET)
    from billing.models import Invoice, InvoiceStatus

    invoices = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    invoices = invoices.select_related("customer").order_by("id")
    invoice = invoices.filter(status=InvoiceStatus.OPEN).first() or invoices.first()
    arabic = next((i for i in invoices if "ar" in (i.customer.preferred_locales or [])), invoice)
    return invoice.customer, invoice, arabic


def pdf_page_png(pdf: bytes, name: str) -> Path:
    """The PDF's first page as a PNG, by pdftoppm (WeasyPrint writes no images)."""
    pdf_path = SHOTS / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise SystemExit("pdftoppm not found: apt-get install poppler-utils")
    subprocess.run(
        [pdftoppm, "-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile",
         str(pdf_path), str(SHOTS / name)],
        check=True,
    )  # fmt: skip
    return SHOTS / f"{name}.png"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """The development server on the scratch database (DEBUG: static files as they are)."""
    env = dict(os.environ, DJANGO_DEBUG="1")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", "--skip-checks",
         f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except urllib.error.HTTPError:  # it answers (503 without a worker): up
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the development server stopped") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the development server did not answer in 90 s")


def browse(base_url: str, pages: list[tuple[str, str]]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from customers.management.commands.seed_demo import DEMO_PASSWORD

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill("billing")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        for name, path in pages:
            page.goto(path)
            page.wait_for_load_state("networkidle")  # lazily loaded counts and sections
            page.evaluate("document.fonts.ready")
            target = SHOTS / f"{name}.png"
            page.screenshot(path=str(target), full_page=True)
            written.append(target)
        browser.close()
    return written


def main():
    setup_django("", "screenshots")
    SHOTS.mkdir(parents=True, exist_ok=True)
    customer, invoice, arabic = seed()
    from billing.pdf import invoice_pdf

    pdf_png = pdf_page_png(invoice_pdf(arabic, language="ar"), "invoice-pdf-ar")
    from django.db import connections

    connections.close_all()  # the server process has the database to itself
    port = free_port()
    server = start_server(port)
    try:
        written = browse(
            f"http://127.0.0.1:{port}",
            [
                ("home", "/"),
                ("customers", "/customers/"),
                ("customer", customer.get_absolute_url()),
                ("invoice", invoice.get_absolute_url()),
            ],
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    for path in [*written, pdf_png]:
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
