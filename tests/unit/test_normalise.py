from __future__ import annotations

import pytest

from config.rules import load_rules
from moderation.normalise import (
    Folder,
    OffsetMap,
    disclosure_tokens,
    map_span,
    profanity_key,
    squeeze_word,
)
from moderation.screening import Screener

RULES = load_rules()
FOLDER = Folder(RULES.normalise.lookalikes)
LEET = {ord(k): v for k, v in RULES.normalise.leet.items()}
SCREENER = Screener(RULES)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Hello", "hello"),
        ("ＦＵＣＫ", "fuck"),  # full-width
        ("𝐟𝐮𝐜𝐤", "fuck"),  # mathematical bold
        ("𝓯𝓾𝓬𝓴", "fuck"),  # mathematical script
        ("сunt", "cunt"),  # Cyrillic es
        ("ѕhit", "shit"),  # Cyrillic dze
        ("οk", "ok"),  # Greek omicron
        ("f\u200bu\u200cc\u200dk", "fuck"),  # zero-width space / non-joiner / joiner
        ("s\u00adh\u00adi\u00adt", "shit"),  # soft hyphens
        ("fück", "fuck"),
        ("fu\u0308ck", "fuck"),  # combining diaeresis
        ("Straße", "strasse"),
        ("🇫🇺🇨🇰", "fuck"),  # regional indicators
        ("ⓕⓤⓒⓚ", "fuck"),  # circled letters
        ("it’s", "it's"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert FOLDER.fold(raw)[0] == folded


def test_fold_ascii_fast_path_has_identity_map() -> None:
    text, m = FOLDER.fold("Plain ASCII\ttext\x07")
    assert m is None
    assert text == "plain ascii\ttext "


def test_fold_lone_surrogate_and_controls() -> None:
    text, _ = FOLDER.fold("a\ud800b\x00c\u2028d")
    assert "\ud800" not in text
    assert text.replace(" ", "") == "abcd"


def test_offset_map_round_trip_through_folding() -> None:
    raw = "ok 𝐟\u200b𝐮𝐜𝐤 ok"
    folded, m = FOLDER.fold(raw)
    i = folded.index("fuck")
    s, e = map_span([m], i, i + 4)
    assert raw[s:e] == "𝐟\u200b𝐮𝐜𝐤"


def test_offset_map_lump_and_copy() -> None:
    m = OffsetMap()
    m.add(0, 0, 3, True)  # "abc" -> "abc"
    m.add(3, 3, 7, False)  # "dddd" -> "d"
    m.add(4, 7, 9, True)  # "ef" -> "ef"
    assert m.source_span(0, 2) == (0, 2)
    assert m.source_span(3, 4) == (3, 7)
    assert m.source_span(2, 5) == (2, 8)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("f u c k", "fuck"),
        ("f.u.c.k", "fuck"),
        ("f-u-c-k off", "fuck of"),
        ("f😂u😂c😂k", "fuck"),
        ("fuuuuck", "fuck"),
        ("sh1t", "shit"),
        ("a$$hole", "ashole"),
        ("b!tch!", "bitch!"),
        ("phone 07700", "phone 07700"),  # digits alone are not leetspeak
    ],
)
def test_profanity_key(raw: str, key: str) -> None:
    folded, _ = FOLDER.fold(raw)
    assert profanity_key(folded, LEET).text == key


def test_profanity_key_keeps_run_lengths() -> None:
    k = profanity_key("fuuuck", LEET)
    assert k.text == "fuck"
    assert k.runs == {1: 3}
    assert squeeze_word("boobs") == ("bobs", (1, 2, 1, 1))


def test_disclosure_tokens_expand_text_speak() -> None:
    folded, _ = FOLDER.fold("He sed u cant tell ur mum, come 2 skl tonite n wen im alone")
    dt = disclosure_tokens(folded, SCREENER._token_re, SCREENER._speak)
    assert "he said you cant tell your mum" in dt.text
    assert "come 2 school tonight and when i am alone" in dt.text


@pytest.mark.parametrize(
    ("text", "reads"),
    [
        ("me mam's boyfriend comes in me room", "my mums boyfriend comes in my room"),
        ("me little brother has had no tea", "my little brother has had no tea"),
        ("he gave me money and sent me pics", "he gave me money and sent me pics"),
        ("help me", "help me"),
        ("someone is following me home", "someone is following me home"),
        ("meme dad", "meme dad"),
    ],
)
def test_possessive_me_reads_my(text: str, reads: str) -> None:
    """ "me" before a family word or a room reads "my"; "me" as an object stays."""
    assert SCREENER.disclosure_text(text) == reads


def test_possessive_me_keeps_offsets() -> None:
    text = "me dad hits me"
    s = SCREENER.screen(text)
    assert s.disclosure
    hit = s.disclosures[0]
    assert text[hit.start : hit.end].startswith("me dad")


def test_disclosure_tokens_map_back() -> None:
    raw = "he sed dont tell"
    folded, _ = FOLDER.fold(raw)
    dt = disclosure_tokens(folded, SCREENER._token_re, SCREENER._speak)
    i = dt.text.index("said")
    s, e = dt.source_span(i, i + 4)
    assert raw[s:e] == "sed"


def test_long_repeats_squeezed_for_disclosure() -> None:
    folded, _ = FOLDER.fold("pleeeease heeeelp")
    dt = disclosure_tokens(folded, SCREENER._token_re, SCREENER._speak)
    assert dt.text == "please help"
