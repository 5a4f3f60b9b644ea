"""The H5P package snippet in the Wagtail admin: upload on create, refusal
shown on the form, title-only edits, delete removes the files."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import H5PPackage

from .h5p_builder import as_upload, build_h5p

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_courses_h5ppackage:add"


@pytest.fixture
def admin_client(client, editor):
    client.force_login(editor)
    return client


def test_create_form_asks_for_the_file(admin_client):
    response = admin_client.get(reverse(ADD))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content
    assert 'enctype="multipart/form-data"' in content


def test_upload_valid_package_creates_it(admin_client, editor, h5p_root):
    response = admin_client.post(reverse(ADD), {"title": "", "file": as_upload(build_h5p())})

    assert response.status_code == 302
    package = H5PPackage.objects.get()
    assert package.title == "Bridgeline check"
    assert package.uploaded_by == editor
    assert sorted(path.name for path in h5p_root.iterdir()) == [package.storage_path, f"{package.storage_path}.h5p"]


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        (b"not a zip", "an .h5p file is a zip archive, and this one is not"),
        (build_h5p(extra=[("content/evil.php", b"<?php ?>")]), "content/evil.php: files of type .php are not allowed"),
        (build_h5p(replace={"h5p.json": None}), "The package has no h5p.json at its top level"),
    ],
)
def test_upload_invalid_package_shows_the_problem(admin_client, h5p_root, archive, message):
    response = admin_client.post(reverse(ADD), {"title": "Bad", "file": as_upload(archive)})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not H5PPackage.objects.exists()
    assert not h5p_root.exists() or not any(h5p_root.iterdir())


def test_refusal_found_while_extracting_is_shown_on_the_form(admin_client, h5p_root):
    from .h5p_builder import lying_bomb

    response = admin_client.post(reverse(ADD), {"title": "", "file": as_upload(lying_bomb())})

    assert response.status_code == 200
    assert "content/zeros.txt cannot be read from the archive" in response.content.decode()
    assert not H5PPackage.objects.exists()
    assert not any(h5p_root.iterdir())


def test_upload_without_a_file_is_refused(admin_client):
    response = admin_client.post(reverse(ADD), {"title": "No file"})

    assert response.status_code == 200
    assert not H5PPackage.objects.exists()


def test_edit_changes_only_the_title(admin_client, h5p_root):
    from courses.h5p.services import h5p_package_create

    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))
    url = reverse("wagtailsnippets_courses_h5ppackage:edit", args=[package.pk])

    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"title": "Renamed", "main_library": "H5P.Evil", "language": "xx"})

    assert response.status_code == 302
    package.refresh_from_db()
    assert (package.title, package.main_library, package.language) == ("Renamed", "H5P.BridgelineCheck", "en")


def test_listing_and_inspect(admin_client):
    from courses.h5p.services import h5p_package_create

    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))

    listing = admin_client.get(reverse("wagtailsnippets_courses_h5ppackage:list"))
    inspect = admin_client.get(reverse("wagtailsnippets_courses_h5ppackage:inspect", args=[package.pk]))

    assert listing.status_code == 200 and "Bridgeline check" in listing.content.decode()
    assert inspect.status_code == 200


def test_delete_removes_the_files(admin_client, h5p_root, django_capture_on_commit_callbacks):
    from courses.h5p.services import h5p_package_create

    package = h5p_package_create(uploaded_file=as_upload(build_h5p()))
    url = reverse("wagtailsnippets_courses_h5ppackage:delete", args=[package.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)

    assert response.status_code == 302
    assert not H5PPackage.objects.exists()
    assert not any(h5p_root.iterdir())
