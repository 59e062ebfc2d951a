"""Customer imports from CSV and XLSX: reading files (reader), mapping their columns
(columns), cleaning rows with the customer form's fields (rows), and checking and
writing them (services)."""
