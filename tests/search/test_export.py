"""The export's posting encoder against the format its docstring documents."""

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.search.export import _encode_postings, encode_varints


@st.composite
def _postings(draw):
    numbers = sorted(draw(st.sets(st.integers(0, 70_000), min_size=1, max_size=40)))
    scores = [draw(st.integers(1, 40_000)) for _ in numbers]
    heads = {n: sorted(draw(st.sets(st.integers(0, 300), min_size=1, max_size=4)))
             for n in draw(st.sets(st.sampled_from(numbers), max_size=5))}
    return numbers, scores, heads


@settings(max_examples=200, deadline=None)
@given(_postings())
def test_posting_encoding_follows_the_documented_format(postings):
    # export.py's docstring: per document gap, score, count of head positions, then the
    # positions (the first as is, each next as gap − 1), all as varints. The encoder
    # takes a table for numbers below 2**15 and falls back to the loop above that.
    numbers, scores, heads = postings
    expected, previous = [], -1
    for number, score in zip(numbers, scores):
        positions = heads.get(number, [])
        expected += [number - previous - 1, score, len(positions)]
        expected += [p - q - 1 for q, p in zip([-1, *positions], positions)]
        previous = number
    assert _encode_postings(numbers, scores, heads) == encode_varints(expected)
