"""Customer imports from CSV and XLSX: reading files within their limits (reader; XLSX
workbooks: xlsx, xlsx_parts), mapping their columns (columns), cleaning rows with the
customer form's fields (rows), and checking and writing them (services, writes)."""
