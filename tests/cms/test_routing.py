"""The home page routes a URL to its page in two queries (cms/models.py,
HomePage.route) with Wagtail's own outcome: the same page, 404 for drafts and
unknown paths, the walk for anything it does not find."""

from __future__ import annotations

import pytest
from django.apps import apps
from wagtail.models import Page

from cms.models import HomePage
from tests.courses.test_pages import lessons_of, make_course

pytestmark = pytest.mark.django_db


def test_no_page_model_routes_its_children_itself():
    """The fast path assumes Wagtail's routing below the home page: a page
    type that overrides `route` would be skipped by it."""
    overriding = [
        model.__name__
        for model in apps.get_models()
        if issubclass(model, Page) and model is not HomePage and model.route is not Page.route
    ]
    assert overriding == []


def test_any_depth_is_found_in_two_queries(rf, django_assert_max_num_queries):
    course = make_course(modules=1, lessons=1)
    lesson = lessons_of(course)[0]
    home = HomePage.objects.get(pk=course.get_parent().get_parent().pk)
    for page in (course, lesson):
        components = [part for part in page.url_path[len(home.url_path):].split("/") if part]
        with django_assert_max_num_queries(2):
            assert home.route(rf.get("/"), components).page.pk == page.pk


def test_drafts_and_unknown_paths_answer_404(client):
    course = make_course(modules=1, lessons=2)
    draft = lessons_of(course)[1]
    draft.unpublish()
    draft_url = course.url + f"{draft.get_parent().slug}/{draft.slug}/"
    assert client.get(draft_url).status_code == 404
    assert client.get(course.url + "no-such-module/no-such-lesson/").status_code == 404


def test_the_same_page_as_wagtails_walk(rf):
    course = make_course(modules=2, lessons=2)
    lesson = lessons_of(course)[3]
    home = HomePage.objects.get(pk=course.get_parent().get_parent().pk)
    components = [part for part in lesson.url_path[len(home.url_path):].split("/") if part]
    fast = home.route(rf.get("/"), components)
    walked = Page.route(home, rf.get("/"), components)
    assert fast.page.pk == walked.page.pk == lesson.pk
    assert type(fast.page) is type(walked.page)
