"""Both languages render, and no Japanese notice carries an English template sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mamori.catalog.mapfile import load_map
from mamori.notices import labels
from mamori.notices.builders import KINDS, NotInScope, Options, available_kinds, build_notice
from mamori.notices.document import to_html, to_markdown
from mamori.notices.wording import PHRASES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LABEL_TABLES = [
    value
    for name, value in vars(labels).items()
    if name.isupper() and not name.startswith("_") and isinstance(value, dict) and name != "RIGHTS_BY_LAW"
]


def english_fragments() -> set[str]:
    """The fixed English parts of every template sentence and label (placeholders cut out)."""
    texts = [english for english, _ja in PHRASES.values()]
    texts += [pair[0] for table in LABEL_TABLES for pair in table.values()]
    fragments = set()
    for text in texts:
        for part in re.split(r"\{[a-z_]+\}", text):
            part = part.strip(" .,:;()")
            # Short fragments ("Yes", "Post") could be a proper noun in a map text; sentences cannot.
            if len(part) >= 12 and " " in part:
                fragments.add(part)
    return fragments


def test_every_phrase_and_label_has_both_languages() -> None:
    for key, (english, japanese) in PHRASES.items():
        assert english.strip() and japanese.strip(), key
        assert sorted(re.findall(r"\{[a-z_]+\}", english)) == sorted(re.findall(r"\{[a-z_]+\}", japanese)), key
        bare = re.sub(r"\{[a-z_]+\}", "", japanese)
        assert re.search(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]", bare) or not re.search("[A-Za-z]", bare), key
    for table in LABEL_TABLES:
        for code, (english, japanese) in table.items():
            assert english and japanese, code


@pytest.mark.parametrize("example", ["i-pro", "inpro", "onemall", "picocela"])
@pytest.mark.parametrize("kind", KINDS)
def test_japanese_renderings_have_no_english_template_text(example: str, kind: str) -> None:
    result = load_map([EXAMPLES / example])
    assert result.map is not None
    if kind not in available_kinds(result.map):
        with pytest.raises(NotInScope):
            build_notice(result.map, kind, Options(language="ja"))
        return
    japanese = to_markdown(build_notice(result.map, kind, Options(language="ja")))
    english = to_markdown(build_notice(result.map, kind, Options(language="en")))
    leftovers = sorted(fragment for fragment in english_fragments() if fragment in japanese)
    assert leftovers == []
    assert japanese != english
    # Sanity check of the check itself: the English rendering does contain template sentences.
    assert any(fragment in english for fragment in english_fragments())
    assert 'lang="ja"' in to_html(build_notice(result.map, kind, Options(language="ja")))
