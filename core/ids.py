"""Public IDs, as Stripe makes them: a type prefix and 14 random letters and digits
(`cus_…`, `in_…`), unguessable and the same length in every app."""

import functools
import secrets
import string

ID_ALPHABET = string.ascii_letters + string.digits


def random_strings(alphabet: str, length: int, count: int) -> list[str]:
    """`count` strings of `length` characters drawn uniformly from `alphabet` (ASCII)
    with the secrets module, from one read of random bytes rather than a
    secrets.choice() per character (an import makes 100,000 IDs). A byte picks
    alphabet[byte % len(alphabet)]; bytes past the last whole multiple of the alphabet's
    length are dropped, so that no character is likelier than another."""
    table, dropped = _byte_table(alphabet)
    usable = 256 - len(dropped)
    wanted = length * count
    text = b""
    while len(text) < wanted:
        missing = wanted - len(text)
        text += secrets.token_bytes(missing * 256 // usable + 8).translate(table, dropped)
    letters = text.decode("ascii")
    return [letters[start : start + length] for start in range(0, wanted, length)]


@functools.cache
def _byte_table(alphabet: str) -> tuple[bytes, bytes]:
    size = len(alphabet)
    table = bytes(ord(alphabet[byte % size]) for byte in range(256))
    return table, bytes(range(256 - 256 % size, 256))


def new_public_ids(prefix: str, count: int, length: int = 14) -> list[str]:
    return [prefix + text for text in random_strings(ID_ALPHABET, length, count)]


def new_public_id(prefix: str, length: int = 14) -> str:
    return new_public_ids(prefix, 1, length)[0]
