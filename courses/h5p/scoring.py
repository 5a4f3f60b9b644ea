"""What an H5P package reports when a learner works through it, learnt once
at upload from its libraries and content (docs/h5p.md, "Completion rules").

Real content types fall in three groups:

* **Scored**: the main content type reports a result of its own, as a
  top-level xAPI statement with a score (True/False, Multiple Choice, Fill in
  the Blanks, Drag and Drop, Mark the Words, Essay, Question Set...). Every
  type built on `H5P.Question` is one; a few scored types are not built on
  it and are named in `SELF_SCORED_TYPES`; any other type (not a container)
  whose scripts call the core's scoring helpers is one too. Editors can
  correct the result in the admin.
* **Scored parts**: the content holds scored sub-content (the questions of
  a Question Set, the quizzes on a Course Presentation's slides, the
  interactions of an Interactive Video). Containers that send no top-level
  result of their own (Course Presentation sends one only from its summary
  slide) are then judged by the share of those parts.
* **Unscored**: neither (Dialog Cards, Accordion, a Course Presentation of
  text slides): nothing to pass, so the block completes when the learner
  opens the lesson.

The parts are the outermost scored sub-content items, identified by their
`subContentId`: the id H5P puts into the object id of their statements
(`<activity IRI>?subContentId=<id>`). A Question Set on a slide counts as one
part (its own `completed` carries its score), not as its questions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Content types that report a top-level score without being built on
# H5P.Question (from the H5P content hub's scored types).
SELF_SCORED_TYPES = frozenset(
    {
        "H5P.QuestionSet",
        "H5P.SingleChoiceSet",
        "H5P.ArithmeticQuiz",
        "H5P.ImageSequencing",
        "H5P.ImagePair",
        "H5P.MemoryGame",
        "H5P.Flashcards",
        "H5P.SpeakTheWordsSet",
        "H5P.Crossword",
    }
)
# The base library of the question types: depending on it means reporting a
# score.
QUESTION_LIBRARY = "H5P.Question"
# Containers: whether they send a result of their own depends on their
# content (Course Presentation only from a summary slide), so they are
# judged by their scored parts; one with no scored part completes on view.
CONTAINER_TYPES = frozenset(
    {
        "H5P.CoursePresentation",
        "H5P.InteractiveVideo",
        "H5P.InteractiveBook",
        "H5P.Column",
        "H5P.BranchingScenario",
        "H5P.GameMap",
        "H5P.Agamotto",
        "H5P.Accordion",
    }
)
# What the main library's own scripts call when they report a result
# (H5P.EventDispatcher's helpers): a content type that is neither built on
# H5P.Question nor named above, but calls one of these, reports a score.
SCORED_CALLS = (b"triggerXAPIScored", b"triggerXAPICompleted")


def calls_scored(scripts: Iterable[bytes]) -> bool:
    return any(call in script for script in scripts for call in SCORED_CALLS)


@dataclass(frozen=True)
class Scoring:
    reports_score: bool
    scored_parts: list[str] = field(default_factory=list)

    @property
    def completes_on_view(self) -> bool:
        return not self.reports_score and not self.scored_parts


def machine_name(library: str) -> str:
    """"H5P.MultiChoice 1.14" -> "H5P.MultiChoice"."""
    return library.split(" ", 1)[0].strip()


def scored_types(dependencies: Mapping[str, Iterable[str]]) -> set[str]:
    """The machine names of `dependencies` (machine name -> the machine names
    it preloads) that report a score: SELF_SCORED_TYPES and every library
    that depends, directly or not, on H5P.Question.

    One iterative post-order walk, each library settled once: validation
    already refused cycles and deep chains on upload, but this must not
    rely on it (a library met again while still open counts as not
    reaching H5P.Question through that edge)."""
    reaches: dict[str, bool] = {}
    for start in dependencies:
        if start in reaches:
            continue
        open_now = {start}
        stack = [(start, iter(dependencies.get(start, ())))]
        found = {start: False}
        while stack:
            name, pending = stack[-1]
            dependency = next(pending, None)
            if dependency is None:
                stack.pop()
                open_now.discard(name)
                reaches[name] = found.pop(name)
                if stack:
                    found[stack[-1][0]] = found[stack[-1][0]] or reaches[name]
                continue
            if dependency == QUESTION_LIBRARY:
                found[name] = True
            elif dependency in reaches:
                found[name] = found[name] or reaches[dependency]
            elif dependency not in open_now:
                open_now.add(dependency)
                found[dependency] = False
                stack.append((dependency, iter(dependencies.get(dependency, ()))))
    return {name for name, hit in reaches.items() if hit} | (SELF_SCORED_TYPES & dependencies.keys())


def scored_parts(content: Any, scored: set[str]) -> list[str]:
    """subContentIds of the outermost scored sub-content items of `content`
    (content.json), in document order, each once."""
    parts: list[str] = []
    stack = [content]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            library, sub_content_id = item.get("library"), item.get("subContentId")
            if (
                isinstance(library, str)
                and isinstance(sub_content_id, str)
                and sub_content_id
                and (machine_name(library) in scored or machine_name(library) in SELF_SCORED_TYPES)
            ):
                if sub_content_id not in parts:
                    parts.append(sub_content_id)
                continue
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return parts


def package_scoring(
    *, main_library: str, dependencies: Mapping[str, Iterable[str]], content: Any, main_calls_scored: bool = False
) -> Scoring:
    """`main_calls_scored`: the main library's scripts call a scoring helper
    (`calls_scored`), which decides for types this module does not know."""
    scored = scored_types(dependencies)
    reports = main_library in scored or main_library in SELF_SCORED_TYPES
    if not reports and main_library not in CONTAINER_TYPES:
        reports = main_calls_scored
    return Scoring(reports_score=reports, scored_parts=scored_parts(content, scored))


def manifest_scoring(manifest) -> Scoring:
    """The scoring of a validated package (validation.H5PManifest)."""
    dependencies: dict[str, set[str]] = {}
    for library in manifest.libraries.values():
        dependencies.setdefault(library.machine_name, set()).update(ref.machine_name for ref in library.dependencies)
    return package_scoring(
        main_library=manifest.main_library.machine_name,
        dependencies=dependencies,
        content=manifest.content,
        main_calls_scored=manifest.main_calls_scored,
    )


def folder_scoring(folder, *, main_library: str) -> Scoring | None:
    """The scoring of an already extracted package folder (for packages
    stored before scoring was recorded); None if its files cannot be read."""
    root = Path(folder)
    try:
        content = json.loads((root / "content" / "content.json").read_text(encoding="utf-8-sig"))
        dependencies: dict[str, set[str]] = {}
        scripts: list[bytes] = []
        for library_json in root.glob("*/library.json"):
            data = json.loads(library_json.read_text(encoding="utf-8-sig"))
            dependencies.setdefault(str(data["machineName"]), set()).update(
                str(ref.get("machineName")) for ref in data.get("preloadedDependencies", []) if isinstance(ref, dict)
            )
            if data["machineName"] == main_library:
                scripts += [
                    (library_json.parent / entry["path"]).read_bytes()
                    for entry in data.get("preloadedJs", [])
                    if isinstance(entry, dict) and isinstance(entry.get("path"), str) and ".." not in entry["path"]
                ]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return package_scoring(
        main_library=main_library, dependencies=dependencies, content=content, main_calls_scored=calls_scored(scripts)
    )
