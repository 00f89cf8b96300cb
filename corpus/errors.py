"""CorpusError: the one exception readers raise for problems with user input.

Its message is always a single line, "<source>: <problem>", so a command-line tool can
print it as is and a user can see at once which file, line or URL to fix.
"""

from __future__ import annotations


def one_line(text: str) -> str:
    """Collapse all white space (including newlines) so a message fits on one line."""
    return " ".join(str(text).split())


class CorpusError(Exception):
    """A source that could not be read, e.g. "notes.bin: not a text file (binary content)"."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = one_line(source)
        self.problem = one_line(problem)
        super().__init__(self.source, self.problem)  # both args, so it pickles

    def __str__(self) -> str:
        return f"{self.source}: {self.problem}"
