"""The one set of StreamField blocks every public page shares.

Pages get the same editing vocabulary whatever their type, so an editor who has
learnt one page type knows them all, and templates style each block once.
Every block has a template (markup lives in cms/templates/cms/blocks/) and a
preview value (the admin block picker shows a real rendering).
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading. Only h2/h3 are offered: the page title is the one h1."""

    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading (h2)")), ("h3", _("Sub-heading (h3)"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading_block.html"
        preview_value = {"text": "Why early prevention works", "level": "h2"}
        description = _("A section heading (the page title is already the main heading).")


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        # No h1/h2 in running text: headings come from HeadingBlock so the
        # outline of every page stays valid.
        kwargs.setdefault("features", ["bold", "italic", "link", "document-link", "ol", "ul", "h3", "h4"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "cms/blocks/paragraph_block.html"
        preview_value = (
            "<p>First-line workers are often the first to notice that a young person "
            "is being drawn towards extremist ideas.</p>"
        )


class ImageBlock(blocks.StructBlock):
    """An image with the alternative text written for this use of it.

    Alt text belongs to the context an image is used in, not to the image file,
    so it is asked for here; an explicitly decorative image gets an empty alt.
    """

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=250,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    decorative = blocks.BooleanBlock(
        label=_("Decorative image"),
        required=False,
        help_text=_("Tick only if the image adds no information; screen readers will skip it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not value.get("alt_text"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "alt_text": ErrorList(
                        [ValidationError(_("Write alternative text or mark the image as decorative."))]
                    )
                }
            )
        return value

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image_block.html"
        preview_value = {"alt_text": "", "decorative": False, "caption": "Trainers at a workshop in Lille"}


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote_block.html"
        preview_value = {
            "quote": "The training gave me words for conversations I used to avoid.",
            "attribution": "Youth worker, Antwerp",
        }


class VideoEmbedBlock(blocks.StructBlock):
    """An embedded video or audio with a title: the iframe needs an accessible name."""

    embed = EmbedBlock(label=_("Media URL"), help_text=_("For example a YouTube or Vimeo address."))
    title = blocks.CharBlock(label=_("Title"), max_length=200)

    class Meta:
        icon = "media"
        label = _("Embedded media")
        template = "cms/blocks/embed_block.html"
        preview_value = {"title": "Introduction to the programme"}


class CallToActionBlock(blocks.StructBlock):
    """A prominent link to one next step: a page of this site or an external URL."""

    text = blocks.CharBlock(label=_("Button text"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("External URL"), required=False)

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError(
                block_errors={"page": ErrorList([ValidationError(_("Choose a page or enter a URL, not both."))])}
            )
        return value

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "cms/blocks/call_to_action_block.html"
        preview_value = {"text": "Join a course", "url": "https://example.org/"}


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(
        label=_("Link text"), required=False, max_length=200, help_text=_("Defaults to the document title.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Document link")
        template = "cms/blocks/document_link_block.html"
        preview_value = {"label": "Facilitator guide (PDF)"}


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    embed = VideoEmbedBlock()
    call_to_action = CallToActionBlock()
    document = DocumentLinkBlock()
