"""The shared StreamField blocks: every block is usable in the admin preview
and renders accessibly."""

import pytest
from django.core.exceptions import ValidationError

from cms.blocks import BaseStreamBlock, CallToActionBlock, ImageBlock
from tests.cms.helpers import make_image


def test_every_block_has_icon_template_and_preview_value():
    for name, block in BaseStreamBlock().child_blocks.items():
        assert block.meta.icon and block.meta.icon != "placeholder", name
        assert block.meta.template.startswith("cms/blocks/"), name
        assert block.meta.preview_value is not None, name


@pytest.mark.parametrize("name", ["heading", "paragraph", "quote", "call_to_action"])
def test_blocks_render_their_preview_value(name):
    block = BaseStreamBlock().child_blocks[name]
    html = block.render(block.to_python(block.get_prep_value(block.normalize(block.get_preview_value()))))
    assert html.strip()
    assert "<h1" not in html


@pytest.mark.django_db
def test_image_needs_alt_text_unless_decorative():
    image = make_image()
    block = ImageBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "decorative": False, "caption": ""}))
    assert "alt_text" in error.value.block_errors
    # Rendering is not exercised here: Wagtail's rendition code leaves a
    # temporary file to the garbage collector (a ResourceWarning, an error
    # under filterwarnings=error).
    assert block.clean(block.to_python({"image": image.pk, "alt_text": "", "decorative": True, "caption": ""}))
    assert block.clean(block.to_python({"image": image.pk, "alt_text": "Trainers", "decorative": False, "caption": ""}))


def test_call_to_action_needs_exactly_one_target():
    block = CallToActionBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"text": "Go", "page": None, "url": ""}))
    assert block.clean(block.to_python({"text": "Go", "page": None, "url": "https://example.org/"}))
