"""Site search over the live public pages of the visitor's language."""

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Locale

from .selectors import live_pages_in, specific_pages

# Long queries only cost database time; nobody types more than this.
SEARCH_MAX_QUERY_LENGTH = 200
SEARCH_RESULTS_PER_PAGE = 10


def search(request):
    raw_query = (request.GET.get("q") or "").strip()
    query = raw_query[:SEARCH_MAX_QUERY_LENGTH]
    page_obj = None
    if query:
        results = live_pages_in(locale=Locale.get_active()).search(query)
        page_obj = Paginator(results, SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        # Search returns base Page rows; the snippet (intro) is on the
        # specific types, fetched for this page of results only.
        page_obj.object_list = specific_pages(pages=page_obj.object_list)
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "query_truncated": len(raw_query) > SEARCH_MAX_QUERY_LENGTH,
            "max_length": SEARCH_MAX_QUERY_LENGTH,
            "results": page_obj,
        },
    )
