"""Words typed with a slip or cut short, read as the one word of a vocabulary they can only mean.

The vocabulary is every word a reader knows, each with its sense (what it means: `tues` and
`tuesday` mean one thing), and among them the targets: the words a slip may be read as. A word that
is none of them and not protected is read as a target when
- it is an abbreviation: its first `MIN_PREFIX` or more letters begin an abbreviable target and no
  vocabulary word of another sense (`tomo` is tomorrow; `wee` begins week, weekend and weekday);
- or else it is a typo: the target is within reach, and nearer than every vocabulary word of another
  sense within that word's own reach. Within reach is `edits_allowed` of the word's length (an edit
  is a letter dropped, added or changed, or two neighbours swapped, as the restricted
  Damerau–Levenshtein distance, "optimal string alignment", counts them), of which at most one a
  letter changed to a key not next to it on the keyboard (`blursday` is not Thursday: t→b and h→l).
  Nearer is fewer edits, and on as many, fewer such far changes: `wensday` is Wednesday (two letters
  dropped), not weekday (n→e and s→k); `tursday` stays unread (Thursday with the h dropped, Tuesday
  with e→r, keys next to each other).
It is read as the nearest target of that sense (`tuesdy` → `tuesday`, not `tues`).

Lookups loop over no vocabulary: the deletion neighbourhood of every vocabulary word (every string
left after deleting up to its allowed edits) is indexed once, as in SymSpell, and a word's own
deletions are looked up there, so only the few words found are measured. Two strings within k edits
always share a string reachable by k deletions or fewer from each (a changed letter is deleted from
both, a swapped pair loses one letter on each side).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from itertools import combinations

MIN_PREFIX = 3
"""Letters an abbreviation keeps at least: `wed`, `tue`, `sep`; two letters name too many words."""
MOST_EDITS = 2


def edits_allowed(length: int) -> int:
    """Edits a word of `length` letters may be typed with: none up to 3 letters (`tue`/`the`/`tie`,
    `mon`/`man`, `sat`/`set` are all words), 1 for 4–5 letters, 2 from 6 letters on."""
    return 0 if length <= 3 else 1 if length <= 5 else MOST_EDITS


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_ROW_SHIFT = (0.0, 0.25, 0.75)
_NEIGHBOURS = frozenset(
    (a, b)
    for r, row in enumerate(_ROWS) for i, a in enumerate(row)
    for s, other in enumerate(_ROWS) if abs(r - s) <= 1 for j, b in enumerate(other)
    if a != b and abs(i + _ROW_SHIFT[r] - j - _ROW_SHIFT[s]) < (1.5 if r == s else 1)
)  # fmt: skip
"""Pairs of letters next to each other on a QWERTY keyboard (`e`/`r`, `s`/`z`): a likely slip."""
_EDIT = 4
_FAR_CHANGE = _EDIT + 1
"""What an edit costs in `cost`, and a letter changed to one not next to it on the keyboard. At most
`MOST_EDITS` edits are ever compared, so the extra never adds up to another edit."""
_MOST_FAR_CHANGES = 1
"""Two letters changed to keys far from the ones meant make another word, not a slip (`blursday`)."""


def cost(a: str, b: str, limit: int) -> int:
    """The edits from `a` to `b` as the optimal string alignment counts them, `_EDIT` each, a letter
    changed to one not next to it a little more; more than `limit` edits cost `(limit + 1) * _EDIT`.

    Only the band of cells within `limit` of the diagonal is filled (no path beyond it is cheaper),
    and the loop stops once a whole row is beyond: a typo's first lookup runs this a few times.
    """
    beyond = (limit + 1) * _EDIT
    if abs(len(a) - len(b)) > limit:
        return beyond
    before = previous = [j * _EDIT if j <= limit else beyond for j in range(len(b) + 1)]
    last_letter = ""
    for i, letter in enumerate(a, 1):
        current = [beyond] * (len(b) + 1)
        if i <= limit:
            current[0] = i * _EDIT
        first, last = max(1, i - limit), min(len(b), i + limit)
        lowest = left = current[first - 1]
        for j in range(first, last + 1):  # comparisons, not min(): this is the hot loop
            other = b[j - 1]
            if letter == other:
                best = previous[j - 1]
            else:
                best = previous[j - 1] + (_EDIT if (letter, other) in _NEIGHBOURS else _FAR_CHANGE)
                if j > 1 and letter == b[j - 2] and last_letter == other and before[j - 2] + _EDIT < best:
                    best = before[j - 2] + _EDIT  # two neighbours swapped
            if previous[j] + _EDIT < best:  # a letter of `a` dropped
                best = previous[j] + _EDIT
            if left + _EDIT < best:  # a letter of `b` added
                best = left + _EDIT
            current[j] = left = best if best < beyond else beyond
            if best < lowest:
                lowest = best
        if lowest >= beyond:
            return beyond
        before, previous, last_letter = previous, current, letter
    return previous[-1]


def distance(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance of `a` and `b`, or `limit + 1` when it exceeds `limit`."""
    return cost(a, b, limit) // _EDIT


def deletions(word: str, count: int) -> set[str]:
    """`word` with exactly `count` (0–2) of its letters deleted, in every way."""
    if count == 0:
        return {word}
    if count == 1:
        return {word[:i] + word[i + 1 :] for i in range(len(word))}
    return {word[:i] + word[i + 1 : j] + word[j + 1 :] for i, j in combinations(range(len(word)), 2)}


class FuzzyWords:
    """A vocabulary that reads typos and abbreviations of its targets (see the module's docstring)."""

    def __init__(
        self,
        senses: Mapping[str, Hashable],
        *,
        targets: Iterable[str],
        abbreviable: Iterable[str] = (),
        protected: Iterable[str] = (),
    ) -> None:
        self._senses = dict(senses)
        self._targets = frozenset(targets)
        self._protected = frozenset(protected)
        self._near: dict[str, set[str]] = defaultdict(set)
        for known in self._senses:
            for count in range(edits_allowed(len(known)) + 1):
                for core in deletions(known, count):
                    self._near[core].add(known)
        self._shortest_core = [
            min((len(k) - edits_allowed(len(k)) for k in self._senses if edits_allowed(len(k)) >= count),
                default=1 << 30)
            for count in range(MOST_EDITS + 1)
        ]  # fmt: skip
        """For each number of deletions, the shortest string they leave of a word allowed as many
        edits: a typo that would leave a shorter one needs no deletions that many deep."""
        self._longest = max(map(len, self._senses), default=0) + MOST_EDITS
        abbreviable = frozenset(abbreviable) & self._targets
        self._begun: dict[str, set[str]] = defaultdict(set)
        for known in self._senses:
            for end in range(MIN_PREFIX, len(known)):
                self._begun[known[:end]].add(known)
        self._abbreviations = {
            prefix: words & abbreviable for prefix, words in self._begun.items() if words & abbreviable
        }

    def match(self, word: str) -> str | None:
        """The target `word` can only mean, or None; `word` is compared as given (lower-case it)."""
        if word in self._senses:
            return word if word in self._targets else None
        if word in self._protected:
            return None
        abbreviated = self._abbreviations.get(word)
        if abbreviated is not None:
            if len({self._senses[k] for k in self._begun[word]}) != 1:
                return None
            return min(abbreviated, key=lambda t: (len(t), t))
        found = self.near(word)
        by_sense: dict[Hashable, int] = {}
        for known, away in found.items():
            by_sense[self._senses[known]] = min(away, by_sense.get(self._senses[known], away))
        nearest = min(by_sense.values(), default=None)
        if nearest is None or list(by_sense.values()).count(nearest) > 1:
            return None
        targets = [k for k in found if k in self._targets and by_sense[self._senses[k]] == nearest]
        return min(targets, key=lambda t: (found[t], len(t), t), default=None)

    def near(self, word: str) -> dict[str, int]:
        """The vocabulary words within reach of `word` (their allowed edits, at most one of them a far
        change), each with the `cost` of reaching it."""
        found = {}
        for known in self._candidates(word):
            allowed = edits_allowed(len(known))
            away = cost(word, known, allowed)
            if away <= allowed * _EDIT + _MOST_FAR_CHANGES:
                found[known] = away
        return found

    def _candidates(self, word: str) -> set[str]:
        """The vocabulary words that share a deletion with `word` (a superset of those near it)."""
        if len(word) > self._longest:
            return set()
        candidates = set(self._near.get(word, ()))
        for count in range(1, MOST_EDITS + 1):
            if len(word) - count < self._shortest_core[count]:
                break
            for core in self._near.keys() & deletions(word, count):
                candidates |= self._near[core]
        return candidates
