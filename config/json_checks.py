"""Checks on parsed JSON from outside (uploaded H5P manifests, xAPI
statements) that the parser itself does not make. Both walk the value with
an explicit stack, so no input can exhaust Python's."""

from __future__ import annotations

from typing import Any


def json_text_storable(value: Any) -> bool:
    """Whether every text in `value` (keys too) can be stored in a
    database: no NUL character, no lone surrogate. Without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                return False
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
    return True


def json_depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (a scalar is 0), counted
    without recursion so that no input can exhaust the stack."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest
