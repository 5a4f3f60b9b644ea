"""The demo's H5P packages (demo/h5p/): each folder zips into a package the
upload validator accepts, the real content types carry exactly the official
libraries they need at run time, and the README lists them. No database."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from courses.h5p.validation import LibraryRef, validate_h5p
from demo.courses import BRIDGELINE_CHECK, DEMO_H5P, H5P_DIR, MULTIPLE_CHOICE, TRUE_FALSE, h5p_archive

REAL_TYPES = {TRUE_FALSE: "H5P.TrueFalse", MULTIPLE_CHOICE: "H5P.MultiChoice"}


def _runtime_closure(manifest) -> set[str]:
    """The library folders reached from the main library through
    preloadedDependencies."""
    by_name = {(lib.machine_name, lib.major, lib.minor): lib for lib in manifest.libraries.values()}
    seen: set[str] = set()
    stack: list[LibraryRef] = [
        LibraryRef(manifest.main_library.machine_name, manifest.main_library.major, manifest.main_library.minor)
    ]
    while stack:
        ref = stack.pop()
        library = by_name[(ref.machine_name, ref.major, ref.minor)]
        if library.folder not in seen:
            seen.add(library.folder)
            stack.extend(library.dependencies)
    return seen


@pytest.mark.parametrize("demo", DEMO_H5P, ids=lambda demo: demo.folder)
def test_every_demo_folder_is_a_valid_package_with_only_run_time_libraries(demo):
    manifest = validate_h5p(h5p_archive(demo))
    names = [info.filename for info in manifest.files]

    assert manifest.language == "en"
    # Nothing but what a player loads: the main library's dependency
    # closure, no editor widgets, no editor translations, no legacy files.
    assert set(manifest.libraries) == _runtime_closure(manifest)
    assert not any(folder.startswith("H5PEditor.") for folder in manifest.libraries)
    assert not any("/language/" in name for name in names)
    assert not any(PurePosixPath(name).suffix in {".diff", ".patch", ".swf"} for name in names)


@pytest.mark.parametrize(("demo", "library"), list(REAL_TYPES.items()), ids=lambda value: getattr(value, "folder", value))
def test_the_real_types_are_the_official_libraries_with_our_content(demo, library):
    manifest = validate_h5p(h5p_archive(demo))
    main = manifest.main_library
    content = manifest.content

    assert main.machine_name == library and main.runnable
    assert manifest.title == demo.title
    assert main.metadata["author"] == "Joubel" and main.metadata["license"] == "MIT"
    assert "H5P.Question" in {lib.machine_name for lib in manifest.libraries.values()}
    # Our English content, in the shape the library's semantics expect.
    assert "radicalisation" in content["question"] or "referred" in content["question"]
    if library == "H5P.TrueFalse":
        assert content["correct"] == "false"
        assert content["behaviour"]["feedbackOnCorrect"] and content["behaviour"]["feedbackOnWrong"]
    else:
        answers = content["answers"]
        assert sum(answer["correct"] for answer in answers) == 3 and len(answers) == 5
        assert all(answer["tipsAndFeedback"]["chosenFeedback"] for answer in answers)


def test_bridgeline_check_is_still_our_own_type():
    manifest = validate_h5p(h5p_archive(BRIDGELINE_CHECK))
    assert str(manifest.main_library) == "H5P.BridgelineCheck 1.1"


def test_the_readme_names_every_library_and_version():
    readme = (H5P_DIR / "README.md").read_text(encoding="utf-8")
    for demo in REAL_TYPES:
        for library_json in sorted((H5P_DIR / demo.folder).glob("*/library.json")):
            data = json.loads(library_json.read_text(encoding="utf-8"))
            version = f"{data['majorVersion']}.{data['minorVersion']}.{data['patchVersion']}"
            assert f"| {data['machineName']} | {version} |" in readme, library_json


def test_the_demo_packages_are_small():
    """Shared libraries are identical in both folders (git stores them once);
    Font Awesome is most of the rest."""
    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    true_false, multiple_choice = files(H5P_DIR / TRUE_FALSE.folder), files(H5P_DIR / MULTIPLE_CHOICE.folder)
    shared = true_false.keys() & multiple_choice.keys()
    assert all(true_false[name] == multiple_choice[name] for name in shared if not name.startswith("content/") and name != "h5p.json")
    unique = sum(map(len, multiple_choice.values())) + sum(len(data) for name, data in true_false.items() if name not in shared)
    assert unique < 1_400_000
