"""The cached MIME lookup gives what ``mimetypes.guess_type`` gives for the whole name."""

import itertools
import mimetypes

from desktop.evidence.service import _mime, _suffixes

PARTS = ["a", ".pdf", ".PDF", ".tar", ".gz", ".tgz", ".", "..", "会议", ".JPG", ".docx", ".Z", ".svgz",
         ".txt", ".bashrc", " ", ".tar.bz2"]


def test_the_cached_lookup_matches_guess_type_on_the_whole_name():
    names = ["".join(c) for k in (1, 2, 3) for c in itertools.product(PARTS, repeat=k)]
    differ = [n for n in names if _mime(_suffixes(n)) != mimetypes.guess_type(n)[0]]
    assert len(names) > 5000 and differ == []
    assert _suffixes("材料.tar.gz") == ".tar.gz" and _suffixes(".bashrc") == "" and _suffixes("x") == ""
