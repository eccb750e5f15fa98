"""Text for the search index and for queries.

FTS5's unicode61 tokenizer splits on spaces and punctuation, which leaves a
Chinese or Japanese sentence as one long token. Runs of such characters are
therefore written into the index as overlapping bigrams ("数据库" becomes
"数据 据库"), the usual way to search text without word breaks, and a query
run is turned into the same bigrams as a phrase. Two-character words, the
most common length in Chinese, stay findable (a trigram index cannot match
them). Queries are reduced to plain words and quoted, so no user text is
ever read as FTS5 syntax.

Written with string methods only: importing ``re`` would cost the
``pact-memory search`` command a noticeable part of its start-up budget.
"""

from __future__ import annotations

# Hiragana, Katakana, CJK ideographs (extension A, unified, compatibility), halfwidth Katakana.
_CJK_RANGES = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
               (0xF900, 0xFAFF), (0xFF66, 0xFF9F))
# Words too common to tell memories apart; dropped from a query that has others.
_STOP = """a an and are as at be been but by can could did do does for from had has
have how i if in into is it its may might no not of on or our should so than that the their then
there these they this to was we were what when where which while who why will with would you
"""
STOPWORDS = frozenset(_STOP.split())
# Terms one search looks for at most: a longer query is a pasted text, not a search.
MAX_TERMS = 64


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs of ``run``; a single character stays as is."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i:i + 2] for i in range(len(run) - 1)]


def runs(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into (is CJK, piece) runs."""
    pieces: list[tuple[bool, str]] = []
    for ch in text:
        cjk = is_cjk(ch)
        if pieces and pieces[-1][0] == cjk:
            pieces[-1] = (cjk, pieces[-1][1] + ch)
        else:
            pieces.append((cjk, ch))
    return pieces


def index_text(text: str) -> str:
    """``text`` as written into the index: CJK runs spelled out as bigrams."""
    if text.isascii() or not any(is_cjk(ch) for ch in text):
        return text
    return "".join(f" {' '.join(bigrams(p))} " if cjk else p for cjk, p in runs(text))


def words(query: str) -> list[str]:
    """The words of a free-text query (letters and digits of any script), without repeats."""
    found: list[str] = []
    seen: set[str] = set()
    current: list[str] = []
    for ch in (query or "") + " ":
        if ch.isalnum():
            current.append(ch)
            continue
        word = "".join(current)
        current = []
        if word and word.lower() not in seen:
            seen.add(word.lower())
            found.append(word)
    return found


def content_words(query: str) -> list[str]:
    """The query's words without stopwords, unless that would leave none."""
    all_words = words(query)
    kept = [w for w in all_words if w.lower() not in STOPWORDS]
    return kept or all_words


def fts_terms(query: str, loose: bool = False) -> list[str]:
    """Each query word as a safe FTS5 term: a quoted string or a quoted phrase.

    Quoting makes FTS5 read ``NOT``, ``NEAR``, ``*``, ``:`` and ``-`` as plain
    text; the words hold no double quotes, so none needs escaping. A run of
    Chinese or Japanese is one phrase of bigrams; ``loose`` gives each bigram
    as a term of its own instead, for when no memory holds the whole run
    ("数据库备份" then finds "数据库迁移之前先备份").
    """
    terms: list[str] = []
    for word in content_words(query):
        for cjk, piece in runs(word):
            if not cjk:
                terms.append(f'"{piece}"')
            elif len(piece) == 1:
                terms.append(f'"{piece}"*')
            elif loose:
                terms.extend(f'"{pair}"' for pair in bigrams(piece) if f'"{pair}"' not in terms)
            else:
                terms.append('"' + " ".join(bigrams(piece)) + '"')
    return terms[:MAX_TERMS]


def like_words(query: str, loose: bool = False) -> list[str]:
    """The substrings a ``LIKE`` search looks for; ``loose`` splits CJK runs into bigrams."""
    found: list[str] = []
    for word in content_words(query):
        pieces = runs(word) if loose else [(False, word)]
        for cjk, piece in pieces:
            for part in (bigrams(piece) if cjk else [piece]):
                if part not in found:
                    found.append(part)
    return found[:MAX_TERMS]
