"""The download helpers' Content-Disposition: a quote or a non-Latin-1 name keeps the
header whole (RFC 6266's filename*, not a MIME-encoded word)."""

from core.exports import csv_download, xlsx_download


def test_csv_and_xlsx_downloads_quote_and_encode_the_file_name():
    rows = [["name"], ["Ada"]]
    csv_response = csv_download(rows, 'a "quoted" name.csv')
    assert csv_response["Content-Disposition"] == r'attachment; filename="a \"quoted\" name.csv"'
    xlsx = xlsx_download(rows, "Zürich.xlsx", count=1, limit=10, noun="customers")
    assert xlsx["Content-Disposition"] == "attachment; filename*=utf-8''Z%C3%BCrich.xlsx"
