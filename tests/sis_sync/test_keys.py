from sis_sync.engine import keys
from sis_sync.engine.keys import KeySet


def test_a_key_set_finds_numbers_given_as_ints_or_as_their_text_and_keeps_other_keys_as_text(monkeypatch):
    monkeypatch.setattr(keys, "RECENT_LIMIT", 3)
    seen = KeySet()
    for key in (50, "7", 12, "legacy-ab12", 3, "900", 2**63 - 1, "017"):
        seen.add(key)

    assert all(key in seen for key in ("50", 7, "12", 3, 900, "legacy-ab12", str(2**63 - 1), "017"))
    assert not any(key in seen for key in (17, "17", 8, "legacy-other", "0", -7))
    assert len(seen) == 8


def test_a_key_set_counts_a_key_added_twice_once(monkeypatch):
    monkeypatch.setattr(keys, "RECENT_LIMIT", 2)
    seen = KeySet()
    for key in (5, "5", 6, 5, 7, 6):
        seen.add(key)

    assert len(seen) == 3


def test_a_key_too_large_for_64_bits_is_kept_as_text():
    seen = KeySet()
    seen.add(2**70)

    assert str(2**70) in seen and 2**70 in seen and 2**70 + 1 not in seen


def test_adding_a_key_says_whether_it_was_new(monkeypatch):
    monkeypatch.setattr(keys, "RECENT_LIMIT", 2)
    seen = KeySet()

    added = [seen.add(key) for key in (5, "5", 6, 7, 6, "legacy-a", "legacy-a", 8, 5)]

    assert added == [True, False, True, True, False, True, False, True, False]
