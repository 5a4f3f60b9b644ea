import math
import re

import pytest

from certificates.codes import ALPHABET, CODE_LENGTH, code_display, code_generate, code_normalise


def test_alphabet_is_crockford_base32():
    assert len(ALPHABET) == 32 == len(set(ALPHABET))
    assert not set("ILOU") & set(ALPHABET)


def test_codes_have_16_characters_from_the_alphabet():
    for _ in range(200):
        code = code_generate()
        assert len(code) == CODE_LENGTH == 16
        assert set(code) <= set(ALPHABET)


def test_codes_carry_at_least_80_bits():
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 80


def test_codes_are_random_not_sequential():
    codes = {code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    # Every character position uses (nearly) the whole alphabet.
    for position in range(CODE_LENGTH):
        assert len({code[position] for code in codes}) == 32


def test_display_groups_by_four():
    assert code_display("ABCDEFGHJKMNPQRS") == "ABCD-EFGH-JKMN-PQRS"
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code_display(code_generate()))


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("ABCD-EFGH-JKMN-PQRS", "ABCDEFGHJKMNPQRS"),
        ("abcd efgh jkmn pqrs", "ABCDEFGHJKMNPQRS"),
        (" abcd-EFGH jkmn-pqrs ", "ABCDEFGHJKMNPQRS"),
        ("OOOO-IIII-LLLL-oilo", "0000111111110110"),
        ("ABCDEFGHJKMNPQRS", "ABCDEFGHJKMNPQRS"),
    ],
)
def test_normalise_forgives_what_crockford_forgives(typed, expected):
    assert code_normalise(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "", "abc", "ABCD-EFGH-JKMN-PQR", "ABCD-EFGH-JKMN-PQRST", "A" * 200, "ABCD-EFGH-JKMN-PQRU",
        "ÀBCD-EFGH-JKMN-PQRS", "ABCD-EFGH-JKMN-PQ💥", "'; DROP TABLE certificates_certificate; --",
        "ABCD_EFGH_JKMN_PQRS", "ABCD.EFGH.JKMN.PQRS", "ＡＢＣＤＥＦＧＨＪＫＭＮＰＱＲＳ", None, 12345,
    ],
)
def test_normalise_refuses_malformed_input(typed):
    assert code_normalise(typed) is None
