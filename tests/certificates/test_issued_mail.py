"""The holder is told by mail when their certificate is ready: once, after
its PDF is stored, in their interface language, with the download and
verification links; never again on a re-render or a retry, and a failed
send is retried."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from certificates.codes import code_display
from certificates.models import Certificate
from certificates.selectors import verification_url
from certificates.services import certificate_revoke
from certificates.tasks import certificate_notify_holder, certificate_render_pdf

from .conftest import issue, make_user

pytestmark = pytest.mark.django_db


def _issue(holder, partner, callbacks, **extra) -> Certificate:
    with callbacks(execute=True):
        certificate = issue(holder, partner, title="Recognising radicalisation & polarisation", **extra)
    certificate.refresh_from_db()
    return certificate


def test_the_holder_is_told_once_in_their_language(partner, holder, django_capture_on_commit_callbacks):
    certificate = _issue(holder, partner, django_capture_on_commit_callbacks)
    assert certificate.pdf and certificate.holder_notified_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [holder.email]
    # The holder's interface language is Dutch (conftest), plain-text subject.
    assert message.subject.endswith("Uw certificaat is klaar: Recognising radicalisation & polarisation")
    assert code_display(certificate.code) in message.body
    assert verification_url(certificate) in message.body
    assert "/nl/certificates/mine/" in message.body
    html = message.alternatives[0][0]
    assert 'lang="nl"' in html and "&amp; polarisation" in html
    # Run again, re-rendered: nothing more.
    assert certificate_notify_holder.call(certificate.pk) is False
    assert certificate_render_pdf.call(certificate.pk, replace=True) is True
    assert len(mail.outbox) == 1


def test_english_holder_gets_english(partner, django_capture_on_commit_callbacks):
    english = make_user(name="Sam Jones", partner=partner, language="en")
    _issue(english, partner, django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject.endswith("Your certificate is ready: Recognising radicalisation & polarisation")
    assert 'Your certificate for "Recognising radicalisation & polarisation" is ready.' in mail.outbox[0].body


def test_a_failed_send_is_sent_by_the_retry(partner, holder, django_capture_on_commit_callbacks, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr(EmailMultiAlternatives, "send", refuse)
        # The task backend records the failure; the certificate is issued.
        _issue(holder, partner, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(holder=holder)
    assert certificate.pdf and certificate.holder_notified_at is None
    assert certificate_notify_holder.call(certificate.pk) is True
    assert len(mail.outbox) == 1
    certificate.refresh_from_db()
    assert certificate.holder_notified_at is not None


def test_no_mail_for_a_revoked_certificate_or_one_without_its_pdf(partner, holder):
    certificate = issue(holder, partner)  # callbacks not run: no PDF yet
    assert certificate_notify_holder.call(certificate.pk) is False
    certificate_render_pdf.call(certificate.pk)
    certificate_revoke(certificate=certificate, reason="Issued by mistake", by=None)
    assert certificate_notify_holder.call(certificate.pk) is False
    assert certificate_notify_holder.call(10**9) is False
    assert mail.outbox == []


def test_a_holder_without_a_name_is_told_once_it_is_printed(partner, django_capture_on_commit_callbacks):
    from certificates.services import certificates_name

    nameless = make_user(name="", partner=partner, language="en")
    certificate = _issue(nameless, partner, django_capture_on_commit_callbacks)
    assert not certificate.pdf and mail.outbox == []
    nameless.first_name, nameless.last_name = "Lou", "Martin"
    nameless.save()
    with django_capture_on_commit_callbacks(execute=True):
        certificates_name(holder=nameless)
    assert len(mail.outbox) == 1 and "Hello Lou Martin," in mail.outbox[0].body
