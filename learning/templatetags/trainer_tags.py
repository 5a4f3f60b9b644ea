"""Template filters of the trainers' pages.

    {% load trainer_tags %}
    {{ row.cells|progress_cells }}   (the progress grid's module cells)
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html_join

register = template.Library()


@register.filter
def progress_cells(cells) -> str:
    """One `<td>` per module: the share done, with the counts as data
    attributes. Built in one call: a page of 50 learners × 10 modules is
    500 cells, and the template language resolving three variables and
    localising three numbers per cell cost more than the rest of the row.
    The numbers are integers below 1,000 (never localised differently)."""
    return format_html_join(
        "",
        '<td data-done="{}" data-required="{}">{}&nbsp;%</td>',
        ((cell.done, cell.required, cell.percent) for cell in cells),
    )
