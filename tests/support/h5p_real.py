"""The real H5P packages from the content hub that tests play and import.

They live beside the checkout in `shared/h5p-real/` (CI lays a copy of
shared/ next to the clone): made by the official H5P libraries, not by this
project, so they show what trainers will really upload. A missing folder is
a broken test set-up, so it fails loudly instead of skipping.
"""

from __future__ import annotations

from pathlib import Path

REAL_H5P_DIR = Path(__file__).resolve().parents[3] / "shared" / "h5p-real"

# What each package is, and what answering it sends (shared/h5p-real/README.md).
SCORED = ("H5P.TrueFalse", "H5P.MultiChoice", "H5P.Blanks", "H5P.DragQuestion", "H5P.MarkTheWords", "H5P.QuestionSet")
CONTAINERS = ("H5P.CoursePresentation",)
UNSCORED = ("H5P.Dialogcards", "H5P.Accordion")
ALL = SCORED + CONTAINERS + UNSCORED


def real_h5p(name: str) -> Path:
    """The path of `shared/h5p-real/<name>.h5p`; fails when it is missing."""
    path = REAL_H5P_DIR / f"{name}.h5p"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: the real H5P packages must lie in shared/h5p-real/ beside the checkout"
        )
    return path
